"""Demo opinions: 150 realistic ones sent through the services, published, about half answered."""

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from feedback.accounts.models import Role, User
from feedback.accounts.scope import can_see_unit
from feedback.extensions import db
from feedback.forum import services as forum
from feedback.forum.models import Channel, Identity, Opinion, OpinionKind
from feedback.moderation import services as moderation
from feedback.units.models import utcnow
from feedback.units.services import get_unit_by_code

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "opinions.jsonl"

ANSWERS = {
    OpinionKind.question: "Cảm ơn anh/chị đã liên hệ. Về nội dung anh/chị hỏi, đề nghị mang theo căn cước và các giấy tờ "
                          "liên quan đến bộ phận một cửa của đơn vị trong giờ hành chính, hoặc nộp trực tuyến trên Cổng "
                          "dịch vụ công quốc gia. Cán bộ tiếp nhận sẽ hướng dẫn cụ thể từng bước.",
    OpinionKind.praise: "Đơn vị trân trọng cảm ơn sự ghi nhận của anh/chị. Ý kiến đã được chuyển đến chỉ huy đơn vị "
                        "để xem xét biểu dương cán bộ theo phong trào \"Người tốt, việc tốt\".",
    OpinionKind.report: "Đơn vị đã tiếp nhận phản ánh và giao tổ công tác kiểm tra, xử lý tại địa bàn. Kết quả sẽ được "
                        "thông báo trong thời hạn quy định. Cảm ơn anh/chị đã phối hợp cùng lực lượng Công an.",
    OpinionKind.suggestion: "Đơn vị ghi nhận kiến nghị của anh/chị và sẽ nghiên cứu để cải tiến cách làm, phục vụ "
                            "người dân tốt hơn. Trân trọng cảm ơn.",
    OpinionKind.complaint: "Đơn vị đã tiếp nhận và chuyển nội dung đến bộ phận thanh tra để xác minh theo quy định. "
                           "Kết quả giải quyết sẽ được thông báo đến anh/chị qua mã biên nhận.",
}


def _staff(role):
    return db.session.scalars(select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id)).all()


def _answerer(unit, chiefs, admins):
    for user in chiefs:
        if can_see_unit(user, unit.id):
            return user
    return admins[0] if admins else None


def seed_opinions():
    """Send the demo opinions through submit_opinion; yields lines to print. Skips when opinions exist."""
    if db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.channel == Channel.web)):
        yield "opinions: already present, demo opinions skipped"
        return
    from feedback.inbox.services import answer_opinion  # the staff side's own answering rules and signals

    model = forum.app_classifier()
    moderators = _staff(Role.moderator) + _staff(Role.admin)
    chiefs, admins = _staff(Role.chief), _staff(Role.admin)
    now = utcnow()
    sent = published = answered = skipped = 0
    for line in DEMO_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        unit = get_unit_by_code(row["unit"])
        if unit is None or not unit.is_active:
            skipped += 1
            continue
        identity = Identity(row["identity"])
        officer = row.get("officer") or {}
        opinion, _ = forum.submit_opinion(
            unit, OpinionKind(row["kind"]), row["text"], identity=identity,
            contact_name=row.get("name") if identity != Identity.anonymous else None,
            wants_publication=bool(row.get("publish")), officer_name=officer.get("name"),
            officer_rank=officer.get("rank"), officer_badge=officer.get("badge"),
            classifier=model if model is not None else False,
        )
        sent += 1
        moment = now - timedelta(days=int(row.get("days_ago") or 0), hours=sent % 9)
        day = forum.start_of_day(moment)
        opinion.created_at = moment if identity == Identity.public else day
        opinion.due_at = forum.due_at_for(opinion.kind, day)
        db.session.commit()
        if row.get("publish") and moderators:
            moderation.publish(opinion, moderators[0])
            opinion.published_at = min(now, moment + timedelta(hours=20))
            db.session.commit()
            published += 1
            author = _answerer(unit, chiefs, admins)
            if author is not None and published % 2 == 1:
                answer_opinion(opinion, ANSWERS[opinion.kind], True, author,
                               now=min(now, moment + timedelta(days=2)))
                answered += 1
    state = f"tagged with model {model.version}" if model is not None else "untagged (no model; run `flask classifier backfill`)"
    yield f"opinions: {sent} sent ({state}), {published} published, {answered} answered, {skipped} skipped"
