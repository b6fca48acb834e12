"""Module content as files: the content format (folders), zip bundles and Moodle GIFT banks. Pure."""
