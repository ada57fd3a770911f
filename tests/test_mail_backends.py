"""Mail backends and notifications: never raising, immediate mail, digests, the citizen's answer notice."""

from feedback.extensions import db
from feedback.forum.models import Identity
from feedback.inbox import notifications, services
from feedback.inbox.models import DigestState
from feedback.mail import send_mail
from tests.inbox_helpers import make_opinion, outbox


def test_memory_file_console_backends(app, capsys, tmp_path):
    assert send_mail("a@example.test", "Chủ đề", "Nội dung")
    assert outbox(app)[-1]["Subject"] == "Chủ đề"
    app.config["MAIL_BACKEND"] = "file"
    assert send_mail("a@example.test", "Tệp", "Nội dung")
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and b"a@example.test" in files[0].read_bytes()
    app.config["MAIL_BACKEND"] = "console"
    assert send_mail("secret@example.test", "Riêng tư", "Số điện thoại 0912345678")
    printed = capsys.readouterr().out
    assert "[mail]" in printed and "secret@example.test" not in printed and "0912345678" not in printed


def test_failures_return_false_and_log_no_personal_data(app, caplog):
    app.config["MAIL_BACKEND"] = "smtp"
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", 1  # nothing listens there
    assert send_mail("private@example.test", "x", "y") is False
    assert "private@example.test" not in caplog.text and "mail not sent" in caplog.text
    app.config["MAIL_BACKEND"] = "pigeon"
    assert send_mail("a@example.test", "x", "y") is False


def boom(message):
    raise OSError("mail server down")


def test_broken_mail_never_blocks_submission_or_answer(app, tree, make_user):
    officer = make_user("officer", "CM-TPCM-P5")
    services.set_notify_mode(officer, "immediate")
    app.extensions["mail_backend"] = boom
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], identity=Identity.public, contact_email="dan@example.test")
    assert opinion.id is not None
    answer = services.answer_opinion(opinion, "Đã xử lý.", True, officer)
    assert answer.id is not None and opinion.status.value == "answered"


def test_immediate_mail_to_unit_officers_and_ancestor_chiefs(app, tree, make_user):
    p5 = make_user("officer", "CM-TPCM-P5")
    p9 = make_user("officer", "CM-TPCM-P9")
    chief = make_user("chief", "CM-TPCM")
    other_chief = make_user("chief", "CM-THB")
    quiet = make_user("officer", "CM-TPCM-P5")
    for user in (p5, p9, chief, other_chief):
        services.set_notify_mode(user, "immediate")
    services.set_notify_mode(quiet, "none")
    outbox(app).clear()
    opinion, _ = make_opinion(tree["CM-TPCM-P5"], body="Xin hỏi thủ tục đăng ký tạm trú cần giấy tờ gì?")
    recipients = sorted(m["To"] for m in outbox(app))
    assert recipients == sorted([p5.email, chief.email])
    body = outbox(app)[0].get_content()
    assert f"/staff/inbox/{opinion.id}" in body and "tạm trú" not in body


def test_daily_digest_lists_new_items_once(app, tree, make_user, runner):
    officer = make_user("officer", "CM-TPCM-P5")
    chief = make_user("chief", "CM-THB")
    make_user("officer", "CM-TPCM-P9")
    outbox(app).clear()
    first, _ = make_opinion(tree["CM-TPCM-P5"])
    make_opinion(tree["CM-TPCM-P5"])
    assert outbox(app) == []  # digest is the default: nothing immediate
    result = runner.invoke(args=["inbox", "send-digests"])
    assert result.exit_code == 0 and "sent 1 digests" in result.output
    (mail,) = outbox(app)
    assert mail["To"] == officer.email and f"#{first.id}" in mail.get_content()
    assert db.session.get(DigestState, chief.id).last_opinion_id is not None
    assert notifications.send_digests() == 0
    third, _ = make_opinion(tree["CM-TPCM-P5"])
    assert notifications.send_digests() == 1
    assert f"#{third.id}" in outbox(app)[-1].get_content() and f"#{first.id}" not in outbox(app)[-1].get_content()


def test_citizen_mail_on_answer_only_with_consent_and_without_text(app, tree, make_user):
    officer = make_user("officer", "CM-TPCM-P5")
    consenting, _ = make_opinion(tree["CM-TPCM-P5"], identity=Identity.public, contact_email="dan@example.test")
    silent, _ = make_opinion(tree["CM-TPCM-P5"], identity=Identity.public, contact_name="Không Email")
    outbox(app).clear()
    services.answer_opinion(consenting, "Nội dung trả lời riêng tư.", False, officer)
    services.answer_opinion(silent, "Trả lời.", True, officer)
    (mail,) = outbox(app)
    assert mail["To"] == "dan@example.test"
    assert "Nội dung trả lời riêng tư" not in mail.get_content() and "/track" in mail.get_content()
