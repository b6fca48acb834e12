"""Sign-in and one's account, and the admin pages; registered by learning.accounts.init_app."""
