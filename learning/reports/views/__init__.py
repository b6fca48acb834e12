"""The report pages and exports, and the audit trail page; registered by learning.reports.init_app."""
