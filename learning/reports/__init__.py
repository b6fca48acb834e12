"""Read-only reports: completion, comprehension, item analysis, trend, the audit trail, the exemption register
and a person's history; charts and exports.

Importing this package loads nothing; `init_app(app)` registers what the room offers the app.
"""


def init_app(app) -> None:
    from learning.reports.pages import employment_label, person_url
    from learning.reports.views import (
        access,
        acknowledgements,
        annual,
        certificates,
        contractors,
        departments,
        inspections,
        lists,
        people,
        pledges,
        records,
        reports,
        signed_pledges,
        trail,
    )

    app.register_blueprint(reports.bp)
    app.register_blueprint(trail.bp)
    app.register_blueprint(access.bp)
    app.register_blueprint(lists.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(annual.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(departments.bp)
    app.register_blueprint(acknowledgements.bp)
    app.register_blueprint(pledges.bp)
    app.register_blueprint(signed_pledges.bp)
    app.register_blueprint(inspections.bp)
    app.register_blueprint(contractors.bp)
    # A contractor supervisor's page (accounts) shows their staff's campaign status from here.
    from learning.reports.contractors import company_status

    app.extensions["contractor_training_status"] = company_status
    app.jinja_env.globals["person_url"] = person_url
    app.jinja_env.globals["employment_label"] = employment_label
