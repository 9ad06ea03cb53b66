"""A WhatsApp bot written with pywa (https://pywa.readthedocs.io), as its docs
show, run against Switchboard's Cloud-API-compatible endpoint.

The test installs pywa from PyPI (scripts/pywa) and runs this file unmodified;
the only Switchboard-specific part is the transport below, which sends what
pywa would send to https://graph.facebook.com to GRAPH_BASE instead.

Environment: GRAPH_BASE (e.g. http://127.0.0.1:4123/graph), WA_TOKEN,
PHONE_ID, WABA_ID, APP_SECRET, VERIFY_TOKEN, BOT_PORT, TEMPLATE_NAME,
TEMPLATE_LANG, IMAGE_PATH (a PNG to upload), GRAPH_VERSION (default 23.0).

`pywa_bot.py send <to> <text>` sends one text and exits instead.

Stdout: `READY` once the webhook listens on 127.0.0.1:BOT_PORT, then one JSON
line per thing received (`{"got": ...}`) or done (`{"did": ...}`), and
`{"error": ...}` for anything that failed (the bot carries on).
"""

import contextlib
import json
import logging
import os
import pathlib
import threading

import flask
import httpx
from werkzeug.serving import make_server

from pywa import WhatsApp, filters, types
from pywa.errors import WhatsAppError
from pywa.types.templates import TemplateLanguage


# --- The only change a bot needs: pywa's Graph API calls go to GRAPH_BASE. ---
class ToGraphBase(httpx.HTTPTransport):
    """Rewrites requests for graph.facebook.com to `base` (scheme, host, port,
    path prefix); requests to other hosts (media URLs) are left alone."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base.rstrip("/")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "graph.facebook.com":
            request.url = httpx.URL(self.base + request.url.raw_path.decode("ascii"))
            request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().handle_request(request)
# --- End of the change. ---


env = os.environ
_print_lock = threading.Lock()


def log(**fields) -> None:
    """One JSON line on stdout, flushed at once (handlers run on many threads)."""
    with _print_lock:
        print(json.dumps(fields), flush=True)


@contextlib.contextmanager
def step(name: str):
    """Runs one step of a handler: a failure is logged and the handler goes on."""
    try:
        yield
    except WhatsAppError as e:  # the API refused the call
        log(error=f"{name}: ({e.code}) {e.message}")
    except Exception as e:  # noqa: BLE001 - a bot keeps running
        log(error=f"{name}: {e!r}")


class ErrorsToStdout(logging.Handler):
    """pywa's own errors (e.g. an update it cannot parse) as JSON lines too."""

    def emit(self, record: logging.LogRecord) -> None:
        cause = f": {record.exc_info[1]!r}" if record.exc_info else ""
        log(error=f"pywa: {record.getMessage()}{cause}")


logging.basicConfig()  # warnings and tracebacks on stderr
logging.getLogger("pywa").addHandler(ErrorsToStdout(logging.ERROR))


flask_app = flask.Flask(__name__)
wa = WhatsApp(
    phone_id=env["PHONE_ID"],
    token=env["WA_TOKEN"],
    session=httpx.Client(transport=ToGraphBase(env["GRAPH_BASE"]), timeout=30),
    api_version=env.get("GRAPH_VERSION", "23.0"),
    server=flask_app,
    verify_token=env["VERIFY_TOKEN"],
    app_secret=env["APP_SECRET"],  # webhook signatures are checked
    waba_id=env["WABA_ID"],
)


@wa.on_message(filters.text)
def on_text(_: WhatsApp, msg: types.Message) -> None:
    log(got="message", text=msg.text, id=msg.id, **{"from": msg.from_user.wa_id})
    if msg.text.strip().lower() != "hi":
        return

    with step("mark_as_read"):
        msg.mark_as_read()
        log(did="mark_as_read", id=msg.id)
    with step("react"):
        log(did="react", id=msg.react("\N{THUMBS UP SIGN}").id)
    with step("send_text"):
        sent = msg.reply_text("Hello from pywa", quote=True)
        log(did="send_text", text="Hello from pywa", id=sent.id)
    with step("send_image"):
        media = wa.upload_media(pathlib.Path(env["IMAGE_PATH"]))
        log(did="upload_media", id=media.id)
        log(did="send_image", id=msg.reply_image(media, caption="A picture").id)
    with step("send_template"):
        sent = msg.reply_template(
            name=env["TEMPLATE_NAME"], language=TemplateLanguage(env["TEMPLATE_LANG"])
        )
        log(did="send_template", id=sent.id)
    with step("send_buttons"):
        sent = msg.reply_text(
            "Pick one",
            buttons=[
                types.Button(title="Yes", callback_data="yes"),
                types.Button(title="No", callback_data="no"),
            ],
        )
        log(did="send_buttons", id=sent.id)

    names: list[str] = []
    with step("templates"):
        names = [t.name for t in wa.get_templates()]
        log(did="templates", names=names)
    with step("send_text"):
        text = f"Templates: {', '.join(names)}"
        log(did="send_text", text=text, id=msg.reply_text(text).id)


@wa.on_callback_button
def on_button(_: WhatsApp, btn: types.CallbackButton) -> None:
    log(got="button", data=btn.data, id=btn.id)
    with step("send_text"):
        text = f"You picked {btn.data}"
        log(did="send_text", text=text, id=btn.reply_text(text).id)


@wa.on_message_status
def on_status(_: WhatsApp, status: types.MessageStatus) -> None:
    log(got="status", status=str(status.status), id=status.id)


def send_once(to: str, text: str) -> None:
    """`pywa_bot.py send <to> <text>`: one text, sent outside any handler (as
    a bot does to reach a customer first); logs the answer or pywa's error
    class and code."""
    try:
        log(did="send_text", text=text, id=wa.send_message(to=to, text=text).id)
    except WhatsAppError as e:
        log(refused=type(e).__name__, code=e.code, message=e.message)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["send"]:
        send_once(sys.argv[2], sys.argv[3])
        sys.exit(0)
    server = make_server("127.0.0.1", int(env["BOT_PORT"]), flask_app, threaded=True)
    print("READY", flush=True)
    server.serve_forever()
