"""Model Markdown can never make the app fetch anything: a real local server counts requests."""

from __future__ import annotations

import http.server
import threading

import pytest

from app.core.conversation import Conversation
from app.ui.chat_transcript import ChatTranscript


@pytest.fixture
def counting_server():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()
    thread.join()


def test_images_and_html_in_model_markdown_are_never_fetched(qtbot, counting_server):
    base, hits = counting_server
    view = ChatTranscript()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    conversation = Conversation()
    user = conversation.ask("show me")
    reply = conversation.add("assistant", "", parent=user.id)
    reply.text = (
        f'Here: ![logo]({base}/md.png)\n\n<img src="{base}/html.png">\n\n'
        f'[a link]({base}/page) and <link rel=stylesheet href="{base}/s.css">'
    )
    view.show_conversation(conversation)
    # Ask for the resource the way Qt's layout does, and paint, to give any fetch a chance.
    view.document().resource(2, view.document().baseUrl().resolved(f"{base}/direct.png"))
    view.grab()
    qtbot.wait(50)
    assert view.refused_resources >= 1
    assert hits == []


def test_load_resource_refuses_remote_and_local_urls(qtbot):
    from PySide6.QtCore import QUrl

    view = ChatTranscript()
    qtbot.addWidget(view)
    for url in ("http://example.com/x.png", "https://example.com/x.png", "file:///etc/hostname", "x.png"):
        resource = view.loadResource(2, QUrl(url))
        assert resource.isEmpty()
