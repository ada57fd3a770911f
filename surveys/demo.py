"""Demo data: one open satisfaction survey for Cà Mau city police with generated responses.

The bulk generator writes in chunks without per-row ORM work, so the benchmark can seed 100,000 responses quickly.
"""

import random
from datetime import timedelta

from sqlalchemy import func, select, text

from feedback.accounts.models import Role, User
from feedback.extensions import db
from feedback.units.services import get_unit_by_code
from surveys import services, sipas
from surveys.models import SCALES, QuestionType, ResponseChannel, Survey, SurveyAnswer, SurveyResponse, SurveyState

DEMO_UNIT = "CM-TPCM"
DEMO_RESPONSES = 300
DEMO_TEXTS = [
    "Cán bộ hướng dẫn rất nhiệt tình, cảm ơn đơn vị.",
    "Nên bố trí thêm ghế ngồi chờ vì buổi sáng rất đông người.",
    "Thời gian chờ lấy số hơi lâu, mong đơn vị cải thiện.",
    "Nhân viên tiếp dân lịch sự, thủ tục nhanh gọn.",
    "Can bo lam viec nhanh, huong dan de hieu.",
]


def _value_for(question, quality, rng):
    """A plausible answer: better units score higher, with noise."""
    if question.type in SCALES:
        low, high, _top = SCALES[question.type]
        span = high - low
        value = low + span * min(1.0, max(0.0, rng.gauss(quality, 0.22)))
        return round(value)
    if question.type == QuestionType.yes_no:
        return 1 if rng.random() > quality else 0
    return None


RESPONSE_COLUMNS = ("id", "survey_id", "unit_id", "created_on", "channel")
ANSWER_COLUMNS = ("id", "response_id", "survey_id", "unit_id", "question_id", "option_id", "value_int", "text")


def _write(table, columns, rows):
    """Bulk write of plain tuples: COPY on PostgreSQL, a driver-level executemany on SQLite.

    Both skip SQLAlchemy's per-row parameter processing, which dominates at millions of rows.
    """
    connection = db.session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def generate_responses(survey, unit_ids, count, first_day, days, seed=1, texts=(), chunk=10_000):
    """Insert count anonymous responses spread over units and days, chunk by chunk; returns count."""
    rng = random.Random(seed)
    questions = list(survey.questions)
    quality = {unit_id: rng.uniform(0.55, 0.9) for unit_id in unit_ids}
    day_texts = [(first_day + timedelta(days=d)).isoformat() for d in range(days)]
    next_response = (db.session.scalar(select(func.max(SurveyResponse.id))) or 0) + 1
    next_answer = (db.session.scalar(select(func.max(SurveyAnswer.id))) or 0) + 1
    responses, answers = [], []
    for n in range(count):
        unit_id = unit_ids[n % len(unit_ids)] if n < len(unit_ids) else rng.choice(unit_ids)
        response_id = next_response + n
        responses.append((response_id, survey.id, unit_id, rng.choice(day_texts), ResponseChannel.link.value))
        for question in questions:
            if question.type.is_choice:
                picks = rng.sample(question.options, k=1 if question.type == QuestionType.single else rng.randint(1, 2))
                for option in picks:
                    answers.append((next_answer, response_id, survey.id, unit_id, question.id, option.id, None, None))
                    next_answer += 1
                continue
            if question.type.is_text:
                if not texts or rng.random() > 0.1:
                    continue
                row = (next_answer, response_id, survey.id, unit_id, question.id, None, None, rng.choice(texts))
            else:
                if not question.required and rng.random() < 0.15:
                    continue
                value = _value_for(question, quality[unit_id], rng)
                row = (next_answer, response_id, survey.id, unit_id, question.id, None, value, None)
            answers.append(row)
            next_answer += 1
        if len(responses) >= chunk or n == count - 1:
            _write("survey_response", RESPONSE_COLUMNS, responses)
            _write("survey_answer", ANSWER_COLUMNS, answers)
            responses, answers = [], []
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; move them past the rows written here.
        for table in ("survey_response", "survey_answer"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    db.session.commit()
    return count


def seed():
    """The demo survey (safe to run again); yields lines to print."""
    unit = get_unit_by_code(DEMO_UNIT)
    admin = db.session.scalar(select(User).where(User.role == Role.admin).order_by(User.id))
    if unit is None or admin is None:
        yield "surveys: demo unit or administrator missing, skipped"
        return
    if db.session.scalar(select(Survey).where(Survey.target_unit_id == unit.id, Survey.title_vi == sipas.TITLE_VI)):
        yield "surveys: demo survey already exists"
        return
    day = services.today()
    survey = services.create_from_template(admin, unit, include_subtree=True, opens_on=day - timedelta(days=30))
    services.change_state(survey, admin, SurveyState.open)
    unit_ids = [u.id for u in services.target_units(survey)]
    generate_responses(survey, unit_ids, DEMO_RESPONSES, day - timedelta(days=30), 31, seed=2024, texts=DEMO_TEXTS)
    yield f"surveys: demo survey /s/{survey.slug}/{DEMO_UNIT} with {DEMO_RESPONSES} responses"
