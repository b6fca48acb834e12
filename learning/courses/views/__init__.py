"""The courses pages; each module has its own blueprint, registered by learning.courses.init_app."""
