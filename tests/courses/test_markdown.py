from learning.courses.markdown import render_markdown


def test_script_and_event_handlers_are_stripped():
    html = render_markdown('Hello <script>alert(1)</script><img src="x" onerror="alert(2)"><b onclick="x()">b</b>')
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html and "onclick" not in html


def test_javascript_and_data_urls_do_not_survive():
    html = render_markdown(
        '<a href="javascript:alert(1)">x</a> <a href="data:text/html,hi">y</a> [z](javascript:alert(3))'
    )
    assert "javascript:" not in html.replace("[z](javascript:alert(3))", "")
    assert 'href="data:' not in html


def test_module_images_are_rewritten_and_outside_images_dropped():
    html = render_markdown("![map](images/map.png) ![ext](http://example.com/x.png)", "/editions/3/images/")
    assert 'src="/editions/3/images/map.png"' in html
    assert "example.com" not in html


def test_tables_and_headings_render():
    html = render_markdown("# Top\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h2>Top</h2>" in html and "<table>" in html and "<td>1</td>" in html
