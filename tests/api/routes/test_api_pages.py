"""Pages and widget files from api/static/, when present; a clear 404 (never a 500) while they are not."""

from __future__ import annotations

from pathlib import Path

from bk_api_testkit import MakeClient

from knowledge.catalogue import Catalogue


def _static(tmp_path: Path) -> Path:
    static = tmp_path / "site"
    static.mkdir()
    for name in ("index.html", "beratung.html"):
        (static / name).write_text(f"<!doctype html><title>{name}</title>", encoding="utf-8")
    (static / "widget.js").write_text("console.log('widget');", encoding="utf-8")
    (static / "widget.css").write_text(".bk-widget { color: black; }", encoding="utf-8")
    return static


def test_pages_and_files_are_served_when_present(make_client: MakeClient, tmp_path: Path, catalogue: Catalogue) -> None:
    client = make_client(static_dir=_static(tmp_path))
    for path, name in [
        ("/", "index.html"),
        ("/beratung", "beratung.html"),
        (f"/beratung/{catalogue.ids[0]}", "beratung.html"),
    ]:
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert name in response.text
    widget = client.get("/static/widget.js")
    assert widget.status_code == 200
    assert "widget" in widget.text


def test_widget_is_served_at_the_root_for_one_script_tag(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(static_dir=_static(tmp_path))
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.text == "console.log('widget');"
    styles = client.get("/widget.css")
    assert styles.status_code == 200
    assert styles.headers["content-type"].startswith("text/css")
    assert ".bk-widget" in styles.text


def test_unknown_service_page_and_file_are_404(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(static_dir=_static(tmp_path))
    assert client.get("/beratung/gibt-es-nicht").status_code == 404
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/../settings.py").status_code == 404


def test_missing_static_folder_gives_404_not_500(make_client: MakeClient, tmp_path: Path) -> None:
    client_ = make_client(static_dir=tmp_path / "absent")
    assert client_.get("/static/widget.js").status_code == 404
    assert client_.get("/widget.js").status_code == 404
    assert client_.get("/beratung").status_code == 404
    assert client_.get("/beratung").json()["error"] == "not_found"
    root = client_.get("/")
    assert root.status_code == 200
    assert root.json()["docs"] == "/docs"
