import subprocess
import sys


def test_importing_classifier_does_not_import_flask():
    code = "import sys, classifier, classifier.cli; print('flask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
