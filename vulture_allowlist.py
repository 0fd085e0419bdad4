"""Names vulture would call unused that are used where it cannot see: by Flask, WTForms, SQLAlchemy,
Flask-Login, openpyxl, pydantic or the database itself. Names used only by templates are not listed here:
`make lint` passes vulture the templates' names (scripts/template_names.py).

Anything else vulture reports is unused code: delete it rather than listing it here.
"""
# ruff: noqa
_ = object

# Flask reads the config class by attribute (app.config.from_object); gunicorn calls the factory, and its
# gunicorn.conf.py (not scanned) records the server's address.
create_app, record_server_url
SQLALCHEMY_DATABASE_URI, SECRET_KEY, WTF_CSRF_TIME_LIMIT, SESSION_COOKIE_HTTPONLY, SESSION_COOKIE_SAMESITE
SESSION_COOKIE_SECURE, BOARD_ENV, PASSWORD_HASH_METHOD, BOARD_ADMIN_EMAIL, BOARD_ADMIN_PASSWORD
MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE
BOARD_ACCESSIBILITY_CONTACT, BOARD_SESSION_IDLE_MINUTES, BOARD_SESSION_MAX_HOURS
BOARD_BASE_URL, PLAN_SEED_PATH, BOARD_TIMEZONE, BOARD_POLL_SECONDS, BOARD_TODAY, BOARD_TRUSTED_PROXIES
BOARD_STALE_DAYS, DATABASE_LOCK_TIMEOUT_MS
_.trim_blocks, _.lstrip_blocks  # Jinja environment settings

# WTForms: fields and settings are declared, then read by the form machinery and `form[name]`.
submit, q, widget, option_widget, Meta
_.validate_expires_on, _.validate_view, _.validate_mode, _.validate_note, _.validate_slug, _.validate_end  # inline validators

# Flask-Login reads its settings and calls get_id; role_required leaves the role on the view for tests.
_.login_view, _.login_message, _.login_message_category, _.session_protection, _.get_id, _.required_role

# Flask reads the app's session interface (board/speed.py sets one that never varies static files by cookie).
_.session_interface

# SQLAlchemy event listeners receive these arguments whether they use them or not.
mapper, connection_record

# Columns and relationships are the schema: kept for the record and read by the database and exports.
password_changed_at, ended_reason  # kept for the record: when a password changed, why a session ended
updated_at, imported_at, organisation, started_by, ended_by, written_at, replaced_by_id
recorded_at, recorded_by_id, recorded_by, _.recorded_by
published_by_id, made_at
NO_EVIDENCE, EMERGING, CLEAR  # ImpactRating members, reached as ImpactRating(value)

# openpyxl styles a cell by setting attributes.
_.font, _.alignment, _.number_format, _.freeze_panes

# pydantic models declare every key of a plan file; the importer reads the checked dict, not the model.
emphasis, of_which, cases, grade, plan_owner, owner_aliases, carried_from

# board/speed.py: `g.body_digest` is read by Flask-Compress's cache key (COMPRESS_CACHE_KEY), and
# `direct_passthrough` by Werkzeug when it buffers a static file; `version` keys an lru_cache.
_.body_digest, _.direct_passthrough, version

# Email (issue 15): Flask-Mailman and board/mailer.py read the MAIL_* settings from the config; WTForms calls
# inline validators by name; Flask calls what after_this_request registers; a column kept for the record.
MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM, MAIL_TIMEOUT
_.validate_reply_by, _when_sent, asked_by_id

# A publication's snapshot is stored whole: these keys say which shape and when it was built.
schema_version, built_at

# WeasyPrint calls its URL fetcher's `fetch` for each stylesheet a PDF loads.
_.fetch

