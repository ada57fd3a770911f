"""Public forum and opinion submission under gunicorn, next to a bare Flask hello world.

    .venv/bin/python -m bench.bench_forum [--opinions 100000] [--connections 32] [--seconds 10] [--postgres URL]

Seeds a fresh database (SQLite file; PostgreSQL too with --postgres) with N opinions by bulk insert,
then measures GET /forum (first page, a unit-subtree filter, a deep keyset page) and POST of the
opinion form with classification, and once more with no model (storing and the receipt alone).
Submissions run with CSRF on: each simulated browser first fetches a session cookie and a token. The rate limits stay on but are raised so the load is not refused.
Targets: forum ≥ 0.35× hello world requests/s with p99 < 100 ms; submission p99 < 150 ms.
"""

import argparse
import json
import random
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import hello_world, load, report, serve  # noqa: E402

KINDS = ["suggestion", "report", "praise", "question", "complaint"]
TOPICS = ["demeanour", "procedure", "integrity", "responsiveness", "public_order", "traffic", "facilities", "other"]
SENTIMENTS = ["negative", "neutral", "positive"]
CHUNK = 5000


def bench_app():
    """The app gunicorn serves: production settings from the environment, submission limits raised."""
    from feedback import create_app, prepare_to_fork

    app = create_app({"OPINION_SUBMIT_LIMIT": "100000 per minute", "RECEIPT_LOOKUP_LIMIT": "100000 per minute"})
    prepare_to_fork(app)  # as wsgi.py does
    return app


def seed(database_url, count, instance):
    """Schema, the demo unit tree, one staff user and `count` opinions (about 60 % published)."""
    from sqlalchemy import insert, select

    from feedback import create_app
    from feedback.accounts import services as accounts
    from feedback.extensions import db
    from feedback.forum.masking import mask_personal_data
    from feedback.forum.models import Answer, Opinion, OpinionTopic
    from feedback.units import services as units
    from feedback.units.models import Unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret", "TESTING": True})
    app.instance_path = instance
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        units.import_units((ROOT / "feedback" / "units" / "demo_data" / "units.csv").read_bytes())
        unit_ids = db.session.scalars(select(Unit.id).where(Unit.is_active.is_(True))).all()
        author = accounts.create_user("bench@example.test", "Bench", "admin", db.session.get(Unit, unit_ids[0]),
                                      "bench-password-123")
        texts = [json.loads(line)["text"] for line in
                 (ROOT / "feedback" / "forum" / "demo_data" / "opinions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        masked = [mask_personal_data(t) for t in texts]
        rng = random.Random(0)
        now = datetime(2026, 11, 1)
        opinion_table, topic_table, answer_table = Opinion.__table__, OpinionTopic.__table__, Answer.__table__
        next_id = 1
        for start in range(0, count, CHUNK):
            opinions, topics, answers = [], [], []
            for n in range(start, min(count, start + CHUNK)):
                index = rng.randrange(len(texts))
                created = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
                published = rng.random() < 0.6
                opinions.append({
                    "id": next_id, "unit_id": rng.choice(unit_ids), "kind": rng.choice(KINDS), "channel": "web",
                    "body": texts[index], "search_text": "", "identity": rng.choice(["anonymous", "sealed", "public"]),
                    "contact_consent": False, "publication": "published" if published else rng.choice(
                        ["not_requested", "pending", "hidden"]),
                    "public_body": masked[index] if published else None,
                    "published_at": created + timedelta(hours=rng.randrange(1, 72)) if published else None,
                    "receipt_hash": secrets.token_hex(32), "status": "new", "created_at": created,
                    "due_at": created + timedelta(days=10), "sentiment": rng.choice(SENTIMENTS),
                    "sentiment_confidence": 0.8, "sentiment_confirmed": False, "model_version": "bench",
                    "classified_at": created, "needs_review": False, "is_conduct_complaint": False, "agree_count": 0,
                })
                topics.append({"opinion_id": next_id, "topic": rng.choice(TOPICS), "confidence": rng.random(),
                               "is_confirmed": False})
                if published and rng.random() < 0.5:
                    answers.append({"opinion_id": next_id, "unit_id": opinions[-1]["unit_id"], "author_id": author.id,
                                    "body": "Đơn vị đã tiếp nhận và xử lý. Cảm ơn anh/chị.", "is_public": True,
                                    "created_at": created + timedelta(days=2)})
                next_id += 1
            db.session.execute(insert(opinion_table), opinions)
            db.session.execute(insert(topic_table), topics)
            if answers:
                db.session.execute(insert(answer_table), answers)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            db.session.execute(text("SELECT setval(pg_get_serial_sequence('opinion', 'id'), (SELECT max(id) FROM opinion))"))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        else:
            from sqlalchemy import text

            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - started


def sessions_with_tokens(base_url, n):
    """n (cookie, csrf token) pairs, as n browsers that opened the form."""
    pairs = []
    for _ in range(n):
        with urllib.request.urlopen(base_url + "/u/CM-TPCM-P5/new", timeout=10) as response:
            page = response.read().decode()
            cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page)
        pairs.append((cookie, token.group(1) or token.group(2)))
    return pairs


def submission_variants(pairs, n=512):
    """n form posts, each from one of the simulated browsers, with different texts."""
    bodies = ["Tôi đến làm căn cước phải chờ rất lâu, cán bộ hướng dẫn chưa rõ ràng",
              "Cảm ơn các anh công an phường đã giúp tôi tìm lại xe bị mất",
              "Khu vực chợ đêm thường xuyên có đánh nhau, đề nghị tăng cường tuần tra",
              "Cán bộ đòi tiền bồi dưỡng mới giải quyết hồ sơ đăng ký xe",
              "Xin hỏi thủ tục đăng ký tạm trú cho người thuê trọ cần những giấy tờ gì"]
    variants = []
    for number in range(n):
        cookie, token = pairs[number % len(pairs)]
        body = urllib.parse.urlencode({"csrf_token": token, "kind": "report", "identity": "anonymous",
                                       "body": f"{bodies[number % len(bodies)]} (lần {number})"})
        variants.append({"body": body, "headers": {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}})
    return variants


def working_model_dir(folder):
    """The bundled model when it loads and predicts with this code; else a fresh one trained into folder."""
    from classifier import build_default_model, load_model

    try:
        load_model().predict("Cán bộ tiếp dân nhiệt tình")
        return None
    except Exception as error:  # a model file older than the code: train one for this run
        print(f"bundled model unusable ({type(error).__name__}); training a fresh one for the benchmark", flush=True)
        return str(build_default_model(Path(folder) / "model"))


def server_env(database_url, args, model_dir):
    env = {"LANGNGHE_ENV": "production", "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
           "PROXY_COUNT": "0", "SITE_URL": "http://127.0.0.1"}
    if model_dir:
        env["CLASSIFIER_MODEL_DIR"] = model_dir
    if args.redis:
        env["RATELIMIT_STORAGE_URI"] = args.redis
    return env


def measure_without_classifier(label, database_url, args, baseline, folder):
    """The same submissions with no model to load: what storing the opinion and showing the
    receipt cost on their own (the opinions stay untagged, as when the model is missing)."""
    env = server_env(database_url, args, model_dir=str(Path(folder) / "no-model-here"))
    with serve("bench.bench_forum:bench_app()", env=env) as url:
        submit = post_opinions(url, sessions_with_tokens(url, 64), args)
    return report(f"[{label}] POST opinion, classifier off", submit, baseline)


def post_opinions(url, pairs, args):
    """A short warm-up, then the measured load of opinion form posts from the simulated browsers."""
    variants = submission_variants(pairs)
    load(url + "/u/CM-TPCM-P5/new", connections=4, requests=50, method="POST", variants=variants, seconds=2)
    return load(url + "/u/CM-TPCM-P5/new", args.connections, args.submissions, method="POST",
                variants=variants, seconds=args.seconds)


def measure(label, database_url, args, baseline, model_dir):
    env = server_env(database_url, args, model_dir)
    lines = []
    with serve("bench.bench_forum:bench_app()", env=env) as url:
        load(url + "/forum", connections=4, requests=200, seconds=2)
        first = load(url + "/forum", args.connections, args.requests, seconds=args.seconds)
        filtered = load(url + "/forum?unit=CM-TPCM&subtree=y", args.connections, args.requests, seconds=args.seconds)
        older = (datetime(2026, 11, 1) - timedelta(days=300)).isoformat() + "_999999999"
        deep = load(url + "/forum?after=" + urllib.parse.quote(older), args.connections, args.requests,
                    seconds=args.seconds)
        pairs = sessions_with_tokens(url, 64)
        # A citizen who opened a form: their session holds its CSRF token.
        with_session = load(url + "/forum", args.connections, args.requests, seconds=args.seconds,
                            headers={"Cookie": pairs[0][0]})
        submit = post_opinions(url, pairs, args)
        # Tagging runs in the background: give it a moment to finish before counting what it tagged.
        time.sleep(2)
    lines.append(report(f"[{label}] GET /forum (page 1)", first, baseline))
    lines.append(report(f"[{label}] GET /forum unit subtree", filtered, baseline))
    lines.append(report(f"[{label}] GET /forum deep keyset page", deep, baseline))
    lines.append(report(f"[{label}] GET /forum, visitor with a session", with_session, baseline))
    lines.append(report(f"[{label}] POST opinion + classify", submit, baseline))
    new, tagged = submission_tagging(database_url)
    lines.append(f"[{label}] opinions posted during the run: {new}, tagged by the classifier: {tagged}")
    return lines


def submission_tagging(database_url):
    from sqlalchemy import func, select

    from feedback import create_app
    from feedback.extensions import db
    from feedback.forum.models import Opinion

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret", "TESTING": True})
    with app.app_context():
        posted = Opinion.model_version.is_(None) | (Opinion.model_version != "bench")
        new = db.session.scalar(select(func.count()).select_from(Opinion).where(posted))
        tagged = db.session.scalar(select(func.count()).select_from(Opinion).where(
            posted, Opinion.classified_at.is_not(None)))
        db.engine.dispose()
    return new, tagged


def _local_redis(url="redis://127.0.0.1:6379/15"):
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except Exception:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opinions", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50_000, help="cap for the Python load generator")
    parser.add_argument("--submissions", type=int, default=3000, help="cap on opinions posted per run")
    parser.add_argument("--postgres", metavar="URL", help="also run on a fresh database created on this server, "
                        "e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", metavar="URL", default=_local_redis(),
                        help="rate-limit storage, as in production with several workers "
                             "(default: redis://127.0.0.1:6379/15 when it answers, else each worker's memory)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        targets = [("sqlite", f"sqlite:///{folder}/bench.sqlite3", None)]
        if args.postgres:
            import psycopg

            name = f"langnghe_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            base = args.postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)

            def drop(name=name):
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            targets.append(("postgresql", f"{base}/{name}", drop))
        lines = []
        model_dir = working_model_dir(folder)
        try:
            with hello_world() as url:
                load(url + "/", connections=4, requests=200, seconds=2)
                baseline = load(url + "/", args.connections, args.requests, seconds=args.seconds)
            lines.append(report("hello world (bare Flask)", baseline))
            for label, database_url, _ in targets:
                seconds = seed(database_url, args.opinions, folder)
                print(f"[{label}] seeded {args.opinions} opinions in {seconds:.1f} s", flush=True)
                lines += measure(label, database_url, args, baseline, model_dir)
                lines.append(measure_without_classifier(label, database_url, args, baseline, folder))
        finally:
            for _, _, drop in targets:
                if drop:
                    drop()
    print(f"connections: {args.connections}, {args.seconds} s per run, 2 gunicorn sync workers, "
          f"{args.opinions} opinions; submissions with CSRF on, rate limits raised (storage: "
          f"{args.redis or 'memory'}), real classifier tagging in the background")
    for line in lines:
        print(line)
    print("targets: forum ratio >= 0.35x hello world and p99 < 100 ms; submission p99 < 150 ms")


if __name__ == "__main__":
    main()
