from classifier.cli import cli

cli(prog_name="python -m classifier")
