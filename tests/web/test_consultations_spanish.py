"""The consultation pages in Spanish (needs the Spanish catalog compiled, see I18N.md)."""
from tests.factories import make_doctor
from tests.web.html import text

ES = {"Accept-Language": "es"}


def test_the_request_form_is_in_spanish_with_the_stored_values_kept(client):
    make_doctor(full_name="Dr. Forma Española")
    page = text(client.get("/consultations/new", headers=ES))
    assert "Solicitar una consulta virtual privada" in page
    assert "Dr. Forma Española, MD, FAAD (Dermatología, " in page  # the specialty's name, translated
    assert '<option value="video call">videollamada</option>' in page  # the value stays the API's
    assert '<option value="plastic surgery">Cirugía plástica</option>' in page


def test_the_inbox_is_in_spanish(browser, client):
    browser.login(make_doctor())
    page = text(client.get("/consultations", headers=ES))
    assert "Consultas privadas" in page and "Todavía no hay consultas." in page
