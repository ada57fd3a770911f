"""Collecting responses: single-use codes, the anonymous response itself, free text to the unit's inbox."""

import csv
import io
import logging
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from classifier.text import canonical
from feedback.extensions import db
from surveys.models import QuestionType, ResponseChannel, SurveyAnswer, SurveyResponse, SurveyToken
from surveys.services import SurveyError, _check_target, is_target, today

log = logging.getLogger(__name__)

TOKEN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed from paper
TOKEN_LENGTH = 10
MAX_TOKENS_PER_BATCH = 500
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000
OTHER_TEXT_MAX = 300
# Shorter texts ("không", "ok") say nothing the inbox could act on.
MIN_FORWARDED_TEXT = 10
OTHER = "other"


class SurveyClosed(SurveyError):
    pass


class UnitNotTargeted(SurveyError):
    pass


class TokenRejected(SurveyError):
    pass


class InvalidResponse(SurveyError):
    """Carries one translated message per question id that was answered wrongly."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(_l("Some answers are missing or not valid."))


# --- single-use codes ------------------------------------------------------------


def normalise_token(code):
    """Upper case without spaces or hyphens, as printed codes are typed back."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def format_token(code):
    return f"{code[:5]}-{code[5:]}"


def issue_tokens(survey, unit, count, actor):
    """Create count unused single-use codes for one unit of the survey; returns the codes."""
    _check_target(actor, survey.owner_unit)
    if not survey.uses_tokens:
        raise SurveyError(_l("This survey does not use single-use codes."))
    if not is_target(survey, unit):
        raise UnitNotTargeted(_l("This unit is not one of the survey's units."))
    if not 1 <= count <= MAX_TOKENS_PER_BATCH:
        raise SurveyError(_l("Between 1 and %(n)d codes can be made at once.", n=MAX_TOKENS_PER_BATCH))
    codes = set()
    while len(codes) < count:
        candidate = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
        codes.add(candidate)
    taken = set(db.session.scalars(select(SurveyToken.code).where(SurveyToken.code.in_(codes))))
    codes = sorted(codes - taken)
    day = today()
    db.session.execute(insert(SurveyToken), [
        {"survey_id": survey.id, "unit_id": unit.id, "code": code, "created_on": day} for code in codes])
    db.session.commit()
    return codes


def unit_tokens(survey, unit, unused_only=False):
    query = select(SurveyToken).where(SurveyToken.survey_id == survey.id, SurveyToken.unit_id == unit.id)
    if unused_only:
        query = query.where(SurveyToken.used_on.is_(None))
    return db.session.scalars(query.order_by(SurveyToken.id)).all()


def token_counts(survey):
    """unit id → (issued, used)."""
    rows = db.session.execute(
        select(SurveyToken.unit_id, func.count(), func.count(SurveyToken.used_on))
        .where(SurveyToken.survey_id == survey.id).group_by(SurveyToken.unit_id))
    return {unit_id: (issued, used) for unit_id, issued, used in rows}


def tokens_csv(survey, unit, link_for):
    """The unit's codes as CSV: code, link with the code, day used (empty when unused)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "link", "used_on"])
    for token in unit_tokens(survey, unit):
        writer.writerow([format_token(token.code), link_for(token.code), token.used_on.isoformat() if token.used_on else ""])
    return out.getvalue()


def check_token(survey, unit, code):
    """Raise TokenRejected unless code is an unused code of this survey and unit."""
    token = db.session.scalar(select(SurveyToken).where(SurveyToken.code == normalise_token(code)))
    if token is None or token.survey_id != survey.id or token.unit_id != unit.id:
        raise TokenRejected(_l("This code is not valid for this survey. Check the code printed on your slip."))
    if token.used_on is not None:
        raise TokenRejected(_l("This code has already been used: each code gives one response."))
    return token


# --- responses ---------------------------------------------------------------------


@dataclass
class Reply:
    """What the citizen gave for one question, already shaped by the form."""

    values: list = field(default_factory=list)  # ints (scale value or option id) or OTHER
    text: str = ""                               # a text answer, or the "other" text

    @property
    def is_empty(self):
        return not self.values and not self.text.strip()


def _check_reply(question, reply):
    """The answer rows for one question, or a translated error message."""
    if reply is None or reply.is_empty:
        return (_l("Please answer this question."), None) if question.required else (None, [])
    qtype = question.type
    if qtype.is_text:
        text = canonical(reply.text.strip())
        limit = SHORT_TEXT_MAX if qtype == QuestionType.short_text else LONG_TEXT_MAX
        if len(text) > limit:
            return _l("Please keep this answer under %(n)d characters.", n=limit), None
        return None, [dict(text=text)]
    if qtype.is_scale or qtype == QuestionType.yes_no:
        allowed = question.scale_values()
        if len(reply.values) != 1 or reply.values[0] not in allowed:
            return _l("Please choose one of the offered answers."), None
        return None, [dict(value_int=reply.values[0])]
    option_ids = {option.id for option in question.options}
    values = list(dict.fromkeys(reply.values))
    if qtype == QuestionType.single and len(values) != 1:
        return _l("Please choose one answer."), None
    if any(v != OTHER and v not in option_ids for v in values) or (OTHER in values and not question.has_other):
        return _l("Please choose one of the offered answers."), None
    other_text = canonical(reply.text.strip())
    if OTHER in values and not other_text:
        return _l("Please say what \"other\" means for you."), None
    if len(other_text) > OTHER_TEXT_MAX:
        return _l("Please keep this answer under %(n)d characters.", n=OTHER_TEXT_MAX), None
    rows = [dict(option_id=v) for v in values if v != OTHER]
    if OTHER in values:
        rows.append(dict(text=other_text))
    return None, rows


def submit_response(survey, unit, replies, token_code=None, forward=True):
    """Store one anonymous response (question id → Reply); free texts go on to the unit's inbox.

    Raises SurveyClosed, UnitNotTargeted, TokenRejected or InvalidResponse; nothing is stored then.
    """
    day = today()
    if not survey.accepts_responses(day):
        raise SurveyClosed(_l("This survey is not open for responses."))
    if not is_target(survey, unit):
        raise UnitNotTargeted(_l("This survey does not cover this unit."))
    token = None
    if survey.uses_tokens:
        if not normalise_token(token_code):
            raise TokenRejected(_l("This survey needs the single-use code you received after your visit."))
        token = check_token(survey, unit, token_code)
    questions = {q.id: q for q in survey.questions}
    errors, rows = {}, []
    unknown = set(replies) - set(questions)
    if unknown:
        raise InvalidResponse({qid: _l("This question is not part of the survey.") for qid in unknown})
    for question in questions.values():
        error, answer_rows = _check_reply(question, replies.get(question.id))
        if error is not None:
            errors[question.id] = error
        else:
            rows.extend(dict(row, question_id=question.id) for row in answer_rows)
    if errors:
        raise InvalidResponse(errors)
    if not rows:
        raise InvalidResponse({q.id: _l("Please answer at least one question.") for q in list(questions.values())[:1]})

    response = SurveyResponse(survey_id=survey.id, unit_id=unit.id, created_on=day,
                              channel=ResponseChannel.token if token else ResponseChannel.link)
    response.answers = [SurveyAnswer(survey_id=survey.id, unit_id=unit.id, **row) for row in rows]
    db.session.add(response)
    if token is not None:
        # Burn the code in the same transaction; the WHERE makes two simultaneous uses impossible.
        burned = db.session.execute(update(SurveyToken).where(SurveyToken.id == token.id, SurveyToken.used_on.is_(None))
                                    .values(used_on=day)).rowcount
        if burned != 1:
            db.session.rollback()
            raise TokenRejected(_l("This code has already been used: each code gives one response."))
    db.session.commit()
    if forward:
        forward_texts(unit, [row["text"] for row in rows if row.get("text")])
    return response


def forward_texts(unit, texts):
    """Send free texts to the unit's inbox as anonymous survey opinions. A failure never loses the response."""
    texts = [text for text in texts if len(text.strip()) >= MIN_FORWARDED_TEXT]
    if not texts:
        return 0
    try:
        # Imported here: the forum capability is optional for surveys (and may load after us).
        from feedback.forum.models import Channel, Identity, OpinionKind
        from feedback.forum.services import submit_opinion
    except ImportError:
        log.warning("forum services unavailable: %d survey text(s) kept in the survey only", len(texts))
        return 0
    sent = 0
    for text in texts:
        try:
            submit_opinion(unit, OpinionKind.suggestion, text, identity=Identity.anonymous, channel=Channel.survey)
            sent += 1
        except Exception as error:  # the answer is stored with the response; the inbox copy can be redone
            db.session.rollback()
            log.warning("survey text not forwarded to the inbox: %s", type(error).__name__)
    return sent
