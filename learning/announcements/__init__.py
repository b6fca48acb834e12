"""Notices and messages from management: writing them, four-eyes publishing, who sees which, acknowledgements,
reminders.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.announcements import reminders, search_feed
    from learning.announcements.messages import KIND_LABELS, STATUS_LABELS
    from learning.announcements.rendering import notice_html
    from learning.announcements.views import admin, reading
    from learning.search import index
    from learning.web import db

    index.register_source(search_feed.KIND, search_feed.rebuild)
    app.register_blueprint(reading.bp)
    app.register_blueprint(admin.bp)
    app.add_template_global(notice_html)
    app.add_template_global(reminders.tokyo_time, "notice_time")
    app.add_template_global(KIND_LABELS, "notice_kinds")
    app.add_template_global(STATUS_LABELS, "notice_statuses")
    app.add_template_global(
        lambda notice_id, department_id: reminders.sent_today(db(), notice_id, department_id), "notice_reminder_today"
    )
