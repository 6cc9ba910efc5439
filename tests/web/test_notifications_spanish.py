"""The notifications pages and the unsubscribe pages in Spanish (#16). They need the compiled
catalog (see /work/wt/I18N.md)."""
from __future__ import annotations

from datetime import datetime

from forum.extensions import db
from forum.models import Notification
from tests.factories import make_user
from tests.web.html import flashes
from tests.web.test_unsubscribe import mail_unsubscribe_path

SPANISH = {"Accept-Language": "es"}


def test_the_unsubscribe_pages_speak_spanish(client):
    path = mail_unsubscribe_path(make_user())
    page = client.get(path, headers=SPANISH).get_data(as_text=True)
    assert "¿Dejar de recibir correos sobre nuevas respuestas a las preguntas que sigue?" in page
    assert "Dejar de recibir estos correos" in page
    page = client.post(path, headers=SPANISH).get_data(as_text=True)
    assert "Ya no recibirá correos sobre nuevas respuestas a las preguntas que sigue." in page


def test_a_bad_unsubscribe_link_is_explained_in_spanish(client):
    response = client.get("/unsubscribe/not-a-token", headers=SPANISH)
    assert response.status_code == 422
    assert "Este enlace para darse de baja no es válido." in response.get_data(as_text=True)


def test_the_notifications_page_in_spanish(browser, client):
    user = make_user(locale="es")
    db.session.add(Notification(user_id=user.id, kind="test", message="Hola", created_at=datetime(2026, 6, 1, 7, 5)))
    db.session.commit()
    browser.login(user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Marcar todas como leídas" in page and "Nueva:" in page
    assert "1 de junio de 2026, 7:05:00 UTC" in page
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Configuración de notificaciones" in page and "Guardar la configuración de notificaciones" in page


def test_the_undo_flash_is_in_spanish(browser, client):
    path = mail_unsubscribe_path(make_user())
    client.post(path)
    response = browser.post_form(f"{path}/undo?lang=es", {}, token_from="/login", follow_redirects=True)
    assert flashes(response.get_data(as_text=True)) == [
        "Los correos sobre nuevas respuestas a las preguntas que sigue vuelven a estar activados."]
