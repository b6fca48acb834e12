"""Sections as learners see them: sanitised Markdown, module images served by the app."""

from sqlalchemy import select

from learning.courses.models import Edition
from learning.courses.services import import_modules
from tests.conftest import sign_in
from tests.factories import make_assignment, make_user, module_spec

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def test_section_page_strips_script_and_serves_module_images(db, client):
    spec = module_spec(slug="with-image")
    spec.sections[0].body = {
        "ja": "本文 <script>alert('x')</script> <img src=x onerror=alert(1)>\n\n![図](images/map.png)",
        "en": 'Body <a href="javascript:alert(1)" onclick="steal()">link</a>\n\n![map](images/map.png)',
    }
    spec.images = {"map.png": PNG}
    import_modules(db, [spec])
    edition = db.scalar(select(Edition))
    user = make_user(db)
    assignment = make_assignment(db, user, edition)
    db.commit()
    sign_in(client, user.employee_no)
    page = client.get(f"/training/{assignment.id}/sections/1").get_data(as_text=True)
    article = page.split('<article class="panel reading">')[1].split("</article>")[0]
    assert "<script" not in article and "onclick" not in article and "javascript:" not in article
    assert f'src="/editions/{edition.id}/{edition.content_hash[:16]}/images/map.png"' in article
    image = client.get(f"/editions/{edition.id}/{edition.content_hash[:16]}/images/map.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert client.get(f"/editions/{edition.id}/images/other.png").status_code == 404
    assert client.get("/editions/999/images/map.png").status_code == 404
