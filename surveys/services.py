"""Building surveys: create, edit questions, move through draft → open → closed → archived, copy as a new version."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from classifier.text import fold_diacritics
from feedback.accounts.models import Role
from feedback.accounts.scope import can_see_unit, scope_filter, visible_unit_ids
from feedback.extensions import db
from feedback.units.models import Unit, UnitClosure
from feedback.units.services import subtree_ids
from surveys import sipas
from surveys.models import (CRITERIA, Survey, SurveyOption, SurveyQuestion, SurveyResponse,
                            SurveyState)

MAX_OPTIONS = 30
MANAGER_ROLES = {Role.chief, Role.admin}


class SurveyError(Exception):
    """A rule about surveys was broken; str() is a translated message for the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))

    def __str__(self):
        return str(self.message)


class InvalidTransition(SurveyError):
    pass


class QuestionsLocked(SurveyError):
    pass


class OutOfScope(SurveyError):
    pass


def today():
    return date.today()


# --- who sees what -----------------------------------------------------------


def reaches_units(survey_columns, unit_ids):
    """WHERE clause: the survey's target set (its unit, or its subtree) meets the units in unit_ids."""
    return exists(
        select(UnitClosure.descendant_id).where(
            UnitClosure.ancestor_id == survey_columns.target_unit_id,
            UnitClosure.descendant_id.in_(unit_ids),
            or_(survey_columns.include_subtree.is_(True), UnitClosure.depth == 0),
        )
    )


def visible_surveys(user, state=None):
    """Surveys the user manages (owner unit in scope) or whose targets meet the user's units."""
    query = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    ids = visible_unit_ids(user)
    if ids is not None:
        query = query.where(or_(Survey.owner_unit_id.in_(ids), reaches_units(Survey, ids)))
    if state is not None:
        query = query.where(Survey.state == state)
    return db.session.scalars(query).all()


def can_view(user, survey):
    """May the user see this survey (and the results of the units in their scope)?"""
    ids = visible_unit_ids(user)
    if ids is None:
        return True
    if can_see_unit(user, survey.owner_unit_id):
        return True
    return db.session.scalar(select(reaches_units(Survey, ids)).where(Survey.id == survey.id)) or False


def can_manage(user, survey):
    """Chiefs manage the surveys of the units they see, administrators all of them."""
    return user.role in MANAGER_ROLES and can_see_unit(user, survey.owner_unit_id)


def target_units(survey, user=None):
    """The units the survey asks about (those the user may see, when given), ordered by depth then code."""
    query = select(Unit).join(UnitClosure, UnitClosure.descendant_id == Unit.id).where(
        UnitClosure.ancestor_id == survey.target_unit_id, Unit.is_active.is_(True))
    if user is not None:
        query = query.where(scope_filter(user, Unit.id))
    if not survey.include_subtree:
        query = query.where(UnitClosure.depth == 0)
    return db.session.scalars(query.order_by(UnitClosure.depth, Unit.code)).all()


def is_target(survey, unit):
    if unit.id == survey.target_unit_id:
        return True
    if not survey.include_subtree:
        return False
    return db.session.scalar(select(func.count()).where(
        UnitClosure.ancestor_id == survey.target_unit_id, UnitClosure.descendant_id == unit.id)) > 0


def manageable_units(user):
    """Units a survey can target: the chief's subtree, every unit for an administrator."""
    query = select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.code)
    if user.role != Role.admin:
        query = query.where(Unit.id.in_(subtree_ids(user.unit_id)))
    return db.session.scalars(query).all()


def get_survey(key):
    """A survey by numeric id or by slug, or None."""
    key = (key or "").strip().lower()[:80]
    if key.isascii() and key.isdigit() and len(key) <= 12:
        return db.session.get(Survey, int(key))
    return db.session.scalar(select(Survey).where(Survey.slug == key))


def response_count(survey):
    return db.session.scalar(select(func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey.id))


def has_responses(survey):
    return db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey.id)))


# --- creating and editing ------------------------------------------------------


def _slug_for(title, version=1):
    base = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(title)).strip("-")[:50].strip("-") or "survey"
    if base.isdigit() or not re.search(r"[a-z]", base):
        base = "survey-" + base
    if version > 1:
        base = f"{base}-v{version}"
    slug, n = base, 1
    while db.session.scalar(select(exists().where(Survey.slug == slug))):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_target(actor, target_unit):
    if actor.role not in MANAGER_ROLES:
        raise OutOfScope(_l("Only unit chiefs and administrators can manage surveys."))
    if not can_see_unit(actor, target_unit.id):
        raise OutOfScope(_l("This unit is outside the units you manage."))


def _check_dates(opens_on, closes_on):
    if opens_on and closes_on and closes_on < opens_on:
        raise SurveyError(_l("The closing date must not be before the opening date."))


def create_survey(actor, target_unit, title_vi, title_en=None, description_vi="", description_en=None,
                  include_subtree=True, opens_on=None, closes_on=None, uses_tokens=False, commit=True):
    """A new draft survey about target_unit (and, with include_subtree, every unit below it)."""
    _check_target(actor, target_unit)
    _check_dates(opens_on, closes_on)
    survey = Survey(
        slug=_slug_for(title_vi), title_vi=title_vi.strip(), title_en=(title_en or "").strip() or None,
        description_vi=(description_vi or "").strip(), description_en=(description_en or "").strip() or None,
        state=SurveyState.draft, created_by_id=actor.id, owner_unit_id=target_unit.id, target_unit_id=target_unit.id,
        include_subtree=include_subtree, opens_on=opens_on, closes_on=closes_on, uses_tokens=uses_tokens,
    )
    db.session.add(survey)
    db.session.flush()
    if commit:
        db.session.commit()
    return survey


def create_from_template(actor, target_unit, include_subtree=True, opens_on=None, closes_on=None, uses_tokens=False):
    """A draft copy of the standard satisfaction questionnaire (SIPAS model), in Vietnamese and English."""
    survey = create_survey(actor, target_unit, sipas.TITLE_VI, sipas.TITLE_EN, sipas.DESCRIPTION_VI,
                           sipas.DESCRIPTION_EN, include_subtree, opens_on, closes_on, uses_tokens, commit=False)
    for position, (qtype, criterion, required, has_other, text_vi, text_en, help_vi, help_en, options) in enumerate(
            sipas.QUESTIONS, start=1):
        question = SurveyQuestion(survey=survey, position=position, type=qtype, criterion=criterion,
                                  required=required, has_other=has_other, text_vi=text_vi, text_en=text_en,
                                  help_vi=help_vi, help_en=help_en)
        question.options = [SurveyOption(position=i, label_vi=vi, label_en=en) for i, (vi, en) in enumerate(options, 1)]
        db.session.add(question)
    db.session.commit()
    return survey


def update_survey(survey, actor, title_vi, title_en, description_vi, description_en, opens_on, closes_on,
                  uses_tokens):
    """Change the texts and dates. Texts stay editable while the survey is a draft only."""
    _check_target(actor, survey.owner_unit)
    if survey.state == SurveyState.archived:
        raise SurveyError(_l("An archived survey cannot be changed."))
    _check_dates(opens_on, closes_on)
    if survey.state != SurveyState.draft and (title_vi.strip(), (title_en or "").strip() or None) != (
            survey.title_vi, survey.title_en):
        raise QuestionsLocked(_l("The title can only change while the survey is a draft. Copy it as a new version."))
    if survey.state != SurveyState.draft and opens_on is None:
        raise SurveyError(_l("An opened survey keeps its opening date."))
    if survey.uses_tokens != uses_tokens and has_responses(survey):
        raise QuestionsLocked(_l("Single-use codes cannot be switched on or off once responses have arrived."))
    survey.title_vi = title_vi.strip()
    survey.title_en = (title_en or "").strip() or None
    survey.description_vi = (description_vi or "").strip()
    survey.description_en = (description_en or "").strip() or None
    survey.opens_on, survey.closes_on = opens_on, closes_on
    survey.uses_tokens = uses_tokens
    db.session.commit()
    return survey


def _check_editable(survey, actor):
    _check_target(actor, survey.owner_unit)
    if survey.state == SurveyState.archived:
        raise QuestionsLocked(_l("An archived survey cannot be changed."))
    if survey.state != SurveyState.draft or has_responses(survey):
        raise QuestionsLocked(_l("Questions are locked once a survey is open, so results never mix two wordings. "
                                 "Copy it as a new version to change them."))


def _clean_options(qtype, options):
    options = [((vi or "").strip(), (en or "").strip() or None) for vi, en in options if (vi or "").strip()]
    if qtype.is_choice:
        if len(options) < 2:
            raise SurveyError(_l("A choice question needs at least two options."))
        if len(options) > MAX_OPTIONS:
            raise SurveyError(_l("A question can have at most %(n)d options.", n=MAX_OPTIONS))
        return options
    return []


def _check_criterion(criterion):
    if criterion and criterion not in CRITERIA:
        raise SurveyError(_l("Unknown scoring criterion."))


def add_question(survey, actor, qtype, text_vi, text_en=None, help_vi="", help_en=None, required=True,
                 criterion=None, has_other=False, options=()):
    """Append a question (options as (label_vi, label_en) pairs for choice questions)."""
    _check_editable(survey, actor)
    _check_criterion(criterion)
    options = _clean_options(qtype, options)
    position = (max((q.position for q in survey.questions), default=0)) + 1
    question = SurveyQuestion(survey=survey, position=position, type=qtype, text_vi=text_vi.strip(),
                              text_en=(text_en or "").strip() or None, help_vi=(help_vi or "").strip(),
                              help_en=(help_en or "").strip() or None, required=required, criterion=criterion or None,
                              has_other=has_other and qtype.is_choice)
    question.options = [SurveyOption(position=i, label_vi=vi, label_en=en) for i, (vi, en) in enumerate(options, 1)]
    db.session.add(question)
    db.session.commit()
    return question


def update_question(question, actor, text_vi, text_en=None, help_vi="", help_en=None, required=True,
                    criterion=None, has_other=False, options=()):
    """Rewrite a question of a draft survey; its type stays (delete and add to change it)."""
    _check_editable(question.survey, actor)
    _check_criterion(criterion)
    options = _clean_options(question.type, options)
    question.text_vi, question.text_en = text_vi.strip(), (text_en or "").strip() or None
    question.help_vi, question.help_en = (help_vi or "").strip(), (help_en or "").strip() or None
    question.required, question.criterion = required, criterion or None
    question.has_other = has_other and question.type.is_choice
    if question.type.is_choice:
        question.options = [SurveyOption(position=i, label_vi=vi, label_en=en) for i, (vi, en) in enumerate(options, 1)]
    db.session.commit()
    return question


def delete_question(question, actor):
    survey = question.survey
    _check_editable(survey, actor)
    survey.questions.remove(question)
    db.session.commit()


def move_question(question, actor, offset):
    """Swap the question with its neighbour above (offset -1) or below (+1)."""
    survey = question.survey
    _check_editable(survey, actor)
    questions = list(survey.questions)
    index = questions.index(question)
    other = index + (1 if offset > 0 else -1)
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        for position, item in enumerate(questions, 1):
            item.position = position
    db.session.commit()


# --- lifecycle ---------------------------------------------------------------


def change_state(survey, actor, state):
    """Move the survey along draft → open → closed → archived; anything else raises InvalidTransition."""
    _check_target(actor, survey.owner_unit)
    if not isinstance(state, SurveyState) or not survey.can_move_to(state):
        raise InvalidTransition(_l("A survey cannot go from %(old)s to %(new)s.", old=survey.state.label,
                                   new=state.label if isinstance(state, SurveyState) else str(state)))
    if state == SurveyState.open:
        if not survey.questions:
            raise SurveyError(_l("Add at least one question before opening the survey."))
        if survey.closes_on is not None and survey.closes_on < today():
            raise SurveyError(_l("The closing date has passed: change it before opening the survey."))
        survey.opens_on = survey.opens_on or today()
    if state == SurveyState.closed and (survey.closes_on is None or survey.closes_on > today()):
        survey.closes_on = max(today(), survey.opens_on or today())
    survey.state = state
    db.session.commit()
    return survey


def copy_as_new_version(survey, actor):
    """A draft copy with the same questions and version + 1, for changes once responses exist."""
    _check_target(actor, survey.owner_unit)
    version = survey.version + 1
    copy = Survey(
        slug=_slug_for(re.sub(r"-v\d+(-\d+)?$", "", survey.slug), version), title_vi=survey.title_vi, title_en=survey.title_en,
        description_vi=survey.description_vi, description_en=survey.description_en, state=SurveyState.draft,
        version=version, parent_survey_id=survey.id, created_by_id=actor.id, owner_unit_id=survey.owner_unit_id,
        target_unit_id=survey.target_unit_id, include_subtree=survey.include_subtree, uses_tokens=survey.uses_tokens,
    )
    for question in survey.questions:
        new = SurveyQuestion(position=question.position, type=question.type, text_vi=question.text_vi,
                             text_en=question.text_en, help_vi=question.help_vi, help_en=question.help_en,
                             required=question.required, criterion=question.criterion, has_other=question.has_other)
        new.options = [SurveyOption(position=o.position, label_vi=o.label_vi, label_en=o.label_en)
                       for o in question.options]
        copy.questions.append(new)
    db.session.add(copy)
    db.session.commit()
    return copy


def newer_open_version(survey):
    """The open survey that replaced this one, for old printed links; None if there is none."""
    return db.session.scalar(select(Survey).where(
        Survey.parent_survey_id == survey.id, Survey.state == SurveyState.open).order_by(Survey.version.desc()))


def versions_of(survey):
    """Every version of the survey's family, oldest first (families are a handful of rows)."""
    root = survey
    while root.parent is not None:
        root = root.parent
    family, frontier = [root], [root.id]
    while frontier:
        children = db.session.scalars(select(Survey).where(Survey.parent_survey_id.in_(frontier))).all()
        family.extend(children)
        frontier = [child.id for child in children]
    return sorted(family, key=lambda s: (s.version, s.id))


def close_expired():
    """Close the open surveys whose closing date has passed (a daily job); returns them."""
    expired = db.session.scalars(select(Survey).where(Survey.state == SurveyState.open, Survey.closes_on < today())).all()
    for survey in expired:
        survey.state = SurveyState.closed
    db.session.commit()
    return expired
