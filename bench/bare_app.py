"""A bare Flask page rendering a 50-item Jinja list: the yardstick the learner mix's throughput is compared with
(bench/load.py runs it under the same gunicorn settings in the same run)."""

from flask import Flask, render_template_string

app = Flask(__name__)
PAGE = "<!doctype html><title>bare</title><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>"
ITEMS = [f"項目 {n}" for n in range(50)]


@app.route("/")
def index():
    return render_template_string(PAGE, items=ITEMS)
