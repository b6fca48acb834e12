"""The authoring pages; each module has its own blueprint, registered by learning.authoring.init_app."""
