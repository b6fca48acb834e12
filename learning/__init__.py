"""The Conduct Rules Portal. Empty on purpose: importing a service must not load Flask; the app is
built by learning.app.create_app()."""
