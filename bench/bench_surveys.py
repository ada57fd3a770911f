"""Survey statistics at scale: 100,000 responses across 500 units, on SQLite and PostgreSQL.

Prints, per database: seeding time (Core inserts in chunks), the summary (per-question aggregates,
per-unit comparison, responses per day) for an administrator and for one district chief, and a trivial
COUNT(*) over the same answer table measured in the same run, with the ratio between the two.

    .venv/bin/python bench/bench_surveys.py [--responses 100000] [--units 500] [--only sqlite|postgresql]
"""

import argparse
import os
import statistics as stats
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedback import create_app  # noqa: E402
from feedback.accounts import services as accounts  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.units import services as units  # noqa: E402
from feedback.units.models import UnitLevel  # noqa: E402
from surveys import services, statistics  # noqa: E402
from surveys.demo import generate_responses  # noqa: E402
from surveys.models import SurveyAnswer, SurveyState  # noqa: E402

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def build_tree(unit_count):
    """A province with districts of nine communes each: unit_count units in all."""
    ministry = units.add_unit("BX", "Bộ Công an", UnitLevel.ministry, commit=False)
    province = units.add_unit("BP", "Công an tỉnh Bench", UnitLevel.province, ministry, commit=False)
    made, district, n = [province], None, 0
    while len(made) < unit_count:
        if district is None or n == 9:
            district = units.add_unit(f"BP-D{len(made):03d}", f"Công an huyện {len(made)}", UnitLevel.district, province,
                                      commit=False)
            made.append(district)
            n = 0
        else:
            made.append(units.add_unit(f"{district.code}-X{n}", f"Công an xã {len(made)}", UnitLevel.commune, district,
                                       commit=False))
            n += 1
    db.session.commit()
    return province, made


def timed(function, repeat=3):
    """Median and best wall-clock seconds of repeat runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return stats.median(times), min(times), result


def run(name, url, responses, unit_count, instance):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {}})
    app.instance_path = instance
    with app.app_context():
        db.create_all()
        province, made = build_tree(unit_count)
        admin = accounts.create_user("bench-admin@example.test", "Bench Admin", "admin", province, "bench-password-1")
        district = next(u for u in made if u.level == UnitLevel.district)
        chief = accounts.create_user("bench-chief@example.test", "Bench Chief", "chief", district, "bench-password-1")
        survey = services.create_from_template(admin, province, opens_on=date.today() - timedelta(days=90))
        services.change_state(survey, admin, SurveyState.open)

        start = time.perf_counter()
        generate_responses(survey, [u.id for u in made], responses, date.today() - timedelta(days=90), 91, seed=7,
                           chunk=10_000)
        seed_seconds = time.perf_counter() - start
        answers = db.session.scalar(select(func.count()).select_from(SurveyAnswer))
        db.session.commit()
        # Steady state, as autovacuum leaves it: statistics and the visibility map (index-only scans).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if name == "postgresql" else "ANALYZE"))

        def baseline():
            return db.session.scalar(select(func.count()).select_from(SurveyAnswer)
                                     .where(SurveyAnswer.survey_id == survey.id))

        def summary_for(user):
            def go():
                db.session.expire_all()
                return statistics.summarize(survey, user)
            return go

        base_median, base_best, _count = timed(baseline)
        admin_median, admin_best, summary = timed(summary_for(admin))
        chief_median, chief_best, chief_summary = timed(summary_for(chief))
        assert summary.responses == responses and not summary.suppressed
        print(f"{name:10} load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{name:10} seed {responses:,} responses / {answers:,} answers / {len(made)} units: {seed_seconds:6.2f} s")
        print(f"{name:10} COUNT(*) baseline over survey_answer:        median {base_median:6.3f} s (best {base_best:.3f})")
        print(f"{name:10} summary, administrator (all {len(summary.units)} units): median {admin_median:6.3f} s "
              f"(best {admin_best:.3f}) = {admin_median / base_median:5.1f}× baseline")
        print(f"{name:10} summary, district chief ({chief_summary.responses:,} responses): median {chief_median:6.3f} s "
              f"(best {chief_best:.3f})")
        db.session.remove()
        db.engine.dispose()
    return admin_median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.only in (None, "sqlite"):
            run("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.responses, args.units, folder)
        if args.only in (None, "postgresql"):
            name = f"langnghe_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                run("postgresql", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.responses, args.units,
                    folder)
            finally:
                with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
