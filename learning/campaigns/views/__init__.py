"""The campaign pages (campaigns.py: list, create, the campaign page, launch, people and exemptions) and the
steps of a campaign's life (lifecycle.py); registered by learning.campaigns.init_app."""
