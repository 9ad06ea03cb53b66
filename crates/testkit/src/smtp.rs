//! A real SMTP server on `127.0.0.1:0` that catches mail for tests.
//!
//! [`SmtpCatcher::start`] binds a loopback port and serves any number of
//! connections at once, speaking just enough plain SMTP (RFC 5321) for a
//! client such as lettre's `AsyncSmtpTransport::from_url(&catcher.url())`:
//! greeting, `EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA` (with
//! dot-stuffing undone), `RSET`, `NOOP` and `QUIT`. It offers neither TLS
//! nor AUTH, so the client stays on plain text.
//!
//! Every accepted message is kept, in arrival order, as a [`CaughtMail`]
//! (envelope plus raw message) with helpers to read a decoded header, the
//! text/plain body and a link out of it. Tests wait for mail with
//! [`SmtpCatcher::wait_for_mails`] or [`SmtpCatcher::wait_for_mail_to`],
//! which wake on arrival and give up after 30 seconds. To exercise retries,
//! [`SmtpCatcher::fail_next`] makes the next messages answer `451`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT as BASE64;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// How long the `wait_for_*` helpers wait before panicking.
const WAIT_LIMIT: Duration = Duration::from_secs(30);

/// The name the server gives itself in its replies.
const SERVER_NAME: &str = "127.0.0.1";

/// A loopback SMTP server that keeps every message it accepts.
///
/// Dropping it stops the server and closes its connections.
pub struct SmtpCatcher {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

/// State shared by the catcher and its connections.
struct Shared {
    /// Caught mails in arrival order; receivers wake on every new one.
    mails: watch::Sender<Vec<CaughtMail>>,
    /// How many more `DATA` completions answer `451`.
    failures: AtomicUsize,
}

/// One message accepted by the catcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaughtMail {
    /// The envelope sender (`MAIL FROM`), empty for the null path `<>`.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in the order given.
    pub to: Vec<String>,
    /// The message as sent, with dot-stuffing undone and without the line
    /// break that starts the `<CRLF>.<CRLF>` terminator.
    pub raw: String,
}

impl SmtpCatcher {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> SmtpCatcher {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind SMTP catcher");
        let addr = listener.local_addr().expect("SMTP catcher address");
        let shared = Arc::new(Shared {
            mails: watch::Sender::new(Vec::new()),
            failures: AtomicUsize::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        SmtpCatcher { addr, shared, task }
    }

    /// The URL to configure the app with: `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port())
    }

    /// The port the catcher listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Makes the next `n` messages answer `451 4.3.0 try again later`
    /// at the end of `DATA`, without keeping them.
    pub fn fail_next(&self, n: usize) {
        self.shared.failures.store(n, Ordering::SeqCst);
    }

    /// A snapshot of the mails caught so far, in arrival order.
    pub fn mails(&self) -> Vec<CaughtMail> {
        self.shared.mails.borrow().clone()
    }

    /// Waits until at least `n` mails have been caught and returns them all.
    ///
    /// Panics, listing what was caught, if that takes more than 30 seconds.
    pub async fn wait_for_mails(&self, n: usize) -> Vec<CaughtMail> {
        let what = format!("{n} mail(s)");
        self.wait_until(&what, |mails| mails.len() >= n).await
    }

    /// Waits for the first mail whose recipients include `address`
    /// (compared case-insensitively) and returns it.
    ///
    /// Panics, listing what was caught, if that takes more than 30 seconds.
    pub async fn wait_for_mail_to(&self, address: &str) -> CaughtMail {
        let what = format!("a mail to {address}");
        let mails = self
            .wait_until(&what, |mails| mails.iter().any(|m| m.is_to(address)))
            .await;
        mails
            .into_iter()
            .find(|m| m.is_to(address))
            .expect("a mail to the address")
    }

    /// Waits until `done` holds for the caught mails, or panics on timeout.
    async fn wait_until(
        &self,
        what: &str,
        done: impl FnMut(&Vec<CaughtMail>) -> bool,
    ) -> Vec<CaughtMail> {
        let mut mails = self.shared.mails.subscribe();
        match tokio::time::timeout(WAIT_LIMIT, mails.wait_for(done)).await {
            Ok(Ok(caught)) => caught.clone(),
            _ => panic!(
                "SMTP catcher: no {what} within {} s; caught {}",
                WAIT_LIMIT.as_secs(),
                describe(&self.mails())
            ),
        }
    }
}

impl Drop for SmtpCatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A one-line-per-mail summary for timeout messages.
fn describe(mails: &[CaughtMail]) -> String {
    if mails.is_empty() {
        return "nothing".to_owned();
    }
    let lines: Vec<String> = mails
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                "\n  #{i}: from <{}> to {:?}, subject {:?}",
                m.from,
                m.to,
                m.subject()
            )
        })
        .collect();
    format!("{} mail(s):{}", mails.len(), lines.concat())
}

// ---------------------------------------------------------------------------
// The server side.
// ---------------------------------------------------------------------------

/// Accepts connections and serves each on its own task. The tasks live in a
/// `JoinSet`, so aborting this loop closes every open connection too.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, shared.clone()));
                }
                Err(e) => eprintln!("SMTP catcher: accept failed: {e}"),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The envelope of the transaction in progress.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

/// What the connection does after a command.
enum Action {
    /// Send this reply (without the final CRLF) and read the next command.
    Reply(String),
    /// Answer `354` and read the message.
    Data,
    /// Answer `221` and close.
    Quit,
}

/// Serves one SMTP connection until `QUIT` or the client hangs up.
async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    if let Err(e) = converse(stream, &shared).await {
        eprintln!("SMTP catcher: connection failed: {e}");
    }
}

/// The command loop of one connection.
async fn converse(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut envelope = Envelope::default();
    reply(
        &mut write,
        &format!("220 {SERVER_NAME} ESMTP testkit catcher"),
    )
    .await?;
    while let Some(line) = read_line(&mut read).await? {
        let command = String::from_utf8_lossy(trim_line_end(&line)).into_owned();
        match command_action(&command, &mut envelope) {
            Action::Reply(text) => reply(&mut write, &text).await?,
            Action::Quit => return reply(&mut write, "221 2.0.0 Bye").await,
            Action::Data => {
                reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(message) = read_data(&mut read).await? else {
                    return Ok(());
                };
                let envelope = std::mem::take(&mut envelope);
                reply(&mut write, &finish_data(shared, envelope, &message)).await?;
            }
        }
    }
    Ok(())
}

/// Interprets one command line, updating the envelope.
fn command_action(command: &str, envelope: &mut Envelope) -> Action {
    let (verb, argument) = command.split_once(' ').unwrap_or((command, ""));
    let argument = argument.trim();
    match verb.to_ascii_uppercase().as_str() {
        "EHLO" => {
            *envelope = Envelope::default();
            Action::Reply(ehlo_reply(argument))
        }
        "HELO" => {
            *envelope = Envelope::default();
            Action::Reply(format!("250 {SERVER_NAME}"))
        }
        "MAIL" => Action::Reply(mail_from(argument, envelope)),
        "RCPT" => Action::Reply(rcpt_to(argument, envelope)),
        "DATA" => data_action(envelope),
        "RSET" => {
            *envelope = Envelope::default();
            Action::Reply("250 2.0.0 OK".to_owned())
        }
        "NOOP" => Action::Reply("250 2.0.0 OK".to_owned()),
        "QUIT" => Action::Quit,
        _ => Action::Reply("502 5.5.2 Command not recognized".to_owned()),
    }
}

/// The multi-line `EHLO` reply: no STARTTLS and no AUTH, on purpose.
fn ehlo_reply(client: &str) -> String {
    format!(
        "250-{SERVER_NAME} greets {client}\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8"
    )
}

/// `MAIL FROM:<path> [params]` starts a new transaction.
fn mail_from(argument: &str, envelope: &mut Envelope) -> String {
    match strip_prefix_ignore_case(argument, "FROM:").and_then(parse_path) {
        Some(from) => {
            *envelope = Envelope {
                from: Some(from),
                to: Vec::new(),
            };
            "250 2.1.0 OK".to_owned()
        }
        None => "501 5.5.4 Syntax: MAIL FROM:<address>".to_owned(),
    }
}

/// `RCPT TO:<path> [params]` adds a recipient.
fn rcpt_to(argument: &str, envelope: &mut Envelope) -> String {
    if envelope.from.is_none() {
        return "503 5.5.1 Need MAIL first".to_owned();
    }
    match strip_prefix_ignore_case(argument, "TO:").and_then(parse_path) {
        Some(to) => {
            envelope.to.push(to);
            "250 2.1.5 OK".to_owned()
        }
        None => "501 5.5.4 Syntax: RCPT TO:<address>".to_owned(),
    }
}

/// `DATA` is only valid once there is a sender and a recipient.
fn data_action(envelope: &Envelope) -> Action {
    if envelope.from.is_none() {
        Action::Reply("503 5.5.1 Need MAIL first".to_owned())
    } else if envelope.to.is_empty() {
        Action::Reply("503 5.5.1 Need RCPT first".to_owned())
    } else {
        Action::Data
    }
}

/// Keeps the message (or refuses it when a failure is due) and gives the
/// reply to the end of `DATA`.
fn finish_data(shared: &Shared, envelope: Envelope, message: &[u8]) -> String {
    let fail = shared
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if fail {
        return "451 4.3.0 try again later".to_owned();
    }
    let mail = CaughtMail {
        from: envelope.from.unwrap_or_default(),
        to: envelope.to,
        raw: String::from_utf8_lossy(message).into_owned(),
    };
    shared.mails.send_modify(|mails| mails.push(mail));
    "250 2.0.0 OK: message caught".to_owned()
}

/// The address in `<address> [params]` (or a bare `address [params]`).
fn parse_path(argument: &str) -> Option<String> {
    let argument = argument.trim_start();
    let path = match argument.strip_prefix('<') {
        Some(rest) => &rest[..rest.find('>')?],
        None => argument.split_whitespace().next()?,
    };
    Some(path.to_owned())
}

/// `text` without `prefix`, comparing ASCII case-insensitively.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Reads the message after `354` up to the lone `.` line, undoing
/// dot-stuffing. `None` if the client hangs up first.
async fn read_data(read: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    while let Some(line) = read_line(read).await? {
        if trim_line_end(&line) == b"." {
            let body_end = message.len() - line_end_len(&message);
            message.truncate(body_end);
            return Ok(Some(message));
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        message.extend_from_slice(unstuffed);
    }
    Ok(None)
}

/// One line including its `\n`, or `None` at end of stream.
async fn read_line(read: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let n = read.read_until(b'\n', &mut line).await?;
    Ok((n > 0).then_some(line))
}

/// How many bytes of line ending (`\r\n`, `\n` or none) end `bytes`.
fn line_end_len(bytes: &[u8]) -> usize {
    if bytes.ends_with(b"\r\n") {
        2
    } else if bytes.ends_with(b"\n") {
        1
    } else {
        0
    }
}

/// `line` without its line ending.
fn trim_line_end(line: &[u8]) -> &[u8] {
    &line[..line.len() - line_end_len(line)]
}

/// Writes one reply (possibly several lines) and its final CRLF.
async fn reply(write: &mut OwnedWriteHalf, text: &str) -> std::io::Result<()> {
    write.write_all(format!("{text}\r\n").as_bytes()).await?;
    write.flush().await
}

// ---------------------------------------------------------------------------
// Reading caught mail.
// ---------------------------------------------------------------------------

impl CaughtMail {
    /// The first header called `name` (case-insensitive), unfolded and with
    /// RFC 2047 encoded-words (`=?utf-8?b?..?=`, `=?utf-8?q?..?=`) decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        Entity::parse(&self.raw)
            .header(name)
            .map(decode_encoded_words)
    }

    /// The decoded `Subject` header, empty if there is none.
    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The decoded body of the text/plain part (the message itself when it
    /// is not multipart), with line breaks as `\n`; empty if there is none.
    ///
    /// Understands 7bit, 8bit, quoted-printable and base64 transfer
    /// encodings and nested multipart bodies.
    pub fn text(&self) -> String {
        text_plain(&self.raw)
            .map(|text| text.replace("\r\n", "\n"))
            .unwrap_or_default()
    }

    /// The first whitespace-delimited word of [`text`](Self::text) that
    /// starts with `prefix`, such as a reset or invitation link.
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.text()
            .split_whitespace()
            .find(|word| word.starts_with(prefix))
            .map(str::to_owned)
    }

    /// Whether `address` is among the envelope recipients.
    fn is_to(&self, address: &str) -> bool {
        self.to.iter().any(|to| to.eq_ignore_ascii_case(address))
    }
}

/// A MIME entity: unfolded headers and the raw body.
struct Entity<'a> {
    headers: Vec<(String, String)>,
    body: &'a str,
}

impl<'a> Entity<'a> {
    /// Splits `raw` at the first empty line and unfolds the headers.
    fn parse(raw: &'a str) -> Entity<'a> {
        let (head, body) = split_head_body(raw);
        Entity {
            headers: parse_headers(head),
            body,
        }
    }

    /// The raw (undecoded) value of the first header called `name`.
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `Content-Type`, defaulting to text/plain as RFC 2045 says.
    fn content_type(&self) -> &str {
        self.header("Content-Type").unwrap_or("text/plain")
    }

    /// Whether `Content-Disposition` marks this entity as an attachment.
    fn is_attachment(&self) -> bool {
        self.header("Content-Disposition")
            .is_some_and(|d| media_type(d) == "attachment")
    }
}

/// Header block and body, split at the first empty line.
fn split_head_body(raw: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        if line == "\r\n" || line == "\n" {
            return (&raw[..offset], &raw[offset + line.len()..]);
        }
        offset += line.len();
    }
    (raw, "")
}

/// `(name, value)` pairs, with continuation lines joined to their header.
fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        let folded = line.starts_with([' ', '\t']);
        match headers.last_mut() {
            Some((_, value)) if folded => value.push_str(line),
            _ => {
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()));
                }
            }
        }
    }
    for (_, value) in &mut headers {
        *value = value.trim().to_owned();
    }
    headers
}

/// The lower-cased value before any `;` parameters, e.g. `text/plain`.
fn media_type(value: &str) -> String {
    let kind = value.split(';').next().unwrap_or_default();
    kind.trim().to_ascii_lowercase()
}

/// The parameter `name` of a header value such as `multipart/alternative;
/// boundary="x"`, unquoted.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|part| {
        let (key, val) = part.split_once('=')?;
        let val = val.trim();
        let val = val
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(val);
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| val.to_owned())
    })
}

/// The decoded text of the first text/plain entity in `raw`, searching
/// multipart bodies depth-first.
fn text_plain(raw: &str) -> Option<String> {
    let entity = Entity::parse(raw);
    let content_type = entity.content_type();
    let kind = media_type(content_type);
    if kind.starts_with("multipart/") {
        let boundary = param(content_type, "boundary")?;
        return multipart_parts(entity.body, &boundary)
            .into_iter()
            .find_map(text_plain);
    }
    (kind == "text/plain" && !entity.is_attachment()).then(|| decode_body(&entity))
}

/// The raw parts of a multipart body, between `--boundary` lines.
fn multipart_parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let open = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == open || bare == close {
            if let Some(start) = start {
                parts.push(without_line_end(&body[start..offset]));
            }
            if bare == close {
                return parts;
            }
            start = Some(offset + line.len());
        }
        offset += line.len();
    }
    parts.extend(start.map(|start| &body[start..]));
    parts
}

/// `text` without one trailing line ending (which belongs to a boundary).
fn without_line_end(text: &str) -> &str {
    &text[..text.len() - line_end_len(text.as_bytes())]
}

/// The body of `entity` with its transfer encoding and charset undone.
fn decode_body(entity: &Entity<'_>) -> String {
    let encoding = entity
        .header("Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(entity.body),
        "base64" => decode_base64(entity.body),
        _ => entity.body.as_bytes().to_vec(),
    };
    let charset = param(entity.content_type(), "charset").unwrap_or_else(|| "utf-8".to_owned());
    charset_to_string(&bytes, &charset)
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` bytes, `=` soft line breaks,
/// trailing whitespace on encoded lines dropped.
fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in body.split_inclusive('\n') {
        let ending = &line[line.len() - line_end_len(line.as_bytes())..];
        let content = without_line_end(line).trim_end_matches([' ', '\t']);
        match content.strip_suffix('=') {
            Some(soft) => out.extend(decode_q(soft, false)),
            None => {
                out.extend(decode_q(content, false));
                out.extend_from_slice(ending.as_bytes());
            }
        }
    }
    out
}

/// `=XX` escapes to bytes; with `underscore_is_space`, `_` is a space (the
/// "Q" encoding of RFC 2047). A stray `=` is kept as it is.
fn decode_q(text: &str, underscore_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'=' => bytes.get(i + 1..i + 3).and_then(hex_byte),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'_') if underscore_is_space => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Two hex digits as a byte.
fn hex_byte(pair: &[u8]) -> Option<u8> {
    let high = char::from(pair[0]).to_digit(16)?;
    let low = char::from(pair[1]).to_digit(16)?;
    u8::try_from(high * 16 + low).ok()
}

/// Base64 with line breaks and other whitespace ignored; the input bytes
/// unchanged if it does not decode.
fn decode_base64(body: &str) -> Vec<u8> {
    let compact: String = body.split_whitespace().collect();
    BASE64
        .decode(compact.as_bytes())
        .unwrap_or_else(|_| body.as_bytes().to_vec())
}

/// Text from bytes in `charset`: Latin-1 mapped directly, anything else
/// read as UTF-8 (lossily).
fn charset_to_string(bytes: &[u8], charset: &str) -> String {
    let latin1 = ["iso-8859-1", "latin1", "iso_8859-1"];
    if latin1.iter().any(|c| c.eq_ignore_ascii_case(charset)) {
        bytes.iter().copied().map(char::from).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// One decoded RFC 2047 encoded-word.
struct EncodedWord {
    charset: String,
    bytes: Vec<u8>,
}

/// Decodes the encoded-words in a header value. Whitespace between two
/// adjacent encoded-words is dropped, and their bytes are joined before
/// decoding, so a character split across words survives.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Option<EncodedWord> = None;
    let mut after_word = false;
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        let Some((word, len)) = parse_encoded_word(candidate) else {
            flush_word(&mut pending, &mut out);
            out.push_str(before);
            out.push_str("=?");
            rest = &candidate[2..];
            after_word = false;
            continue;
        };
        if !(after_word && before.trim().is_empty()) {
            flush_word(&mut pending, &mut out);
            out.push_str(before);
        }
        join_word(&mut pending, word, &mut out);
        after_word = true;
        rest = &candidate[len..];
    }
    flush_word(&mut pending, &mut out);
    out.push_str(rest);
    out
}

/// Appends `word` to the pending bytes, flushing first on a charset change.
fn join_word(pending: &mut Option<EncodedWord>, word: EncodedWord, out: &mut String) {
    match pending {
        Some(p) if p.charset.eq_ignore_ascii_case(&word.charset) => {
            p.bytes.extend(word.bytes);
        }
        _ => {
            flush_word(pending, out);
            *pending = Some(word);
        }
    }
}

/// Decodes the pending bytes, if any, onto `out`.
fn flush_word(pending: &mut Option<EncodedWord>, out: &mut String) {
    if let Some(word) = pending.take() {
        out.push_str(&charset_to_string(&word.bytes, &word.charset));
    }
}

/// Parses `=?charset?B|Q?text?=` at the start of `text`, giving the word
/// and its length in bytes.
fn parse_encoded_word(text: &str) -> Option<(EncodedWord, usize)> {
    let inner = text.strip_prefix("=?")?;
    let charset_end = inner.find('?')?;
    let charset = &inner[..charset_end];
    let after_charset = &inner[charset_end + 1..];
    let encoding = *after_charset.as_bytes().first()?;
    if after_charset.as_bytes().get(1) != Some(&b'?') || !encoding.is_ascii_alphabetic() {
        return None;
    }
    let encoded_and_rest = &after_charset[2..];
    let encoded = &encoded_and_rest[..encoded_and_rest.find("?=")?];
    let spaced = charset.contains(char::is_whitespace) || encoded.contains(char::is_whitespace);
    if charset.is_empty() || spaced {
        return None;
    }
    let bytes = match encoding.to_ascii_uppercase() {
        b'B' => BASE64.decode(encoded).ok()?,
        b'Q' => decode_q(encoded, true),
        _ => return None,
    };
    // RFC 2231 allows a language after the charset: `utf-8*en`.
    let charset = charset.split('*').next().unwrap_or(charset).to_owned();
    let len = 2 + charset_end + 1 + 2 + encoded.len() + 2;
    Some((EncodedWord { charset, bytes }, len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::tcp::OwnedReadHalf;

    /// A raw SMTP client for the tests.
    struct Client {
        read: BufReader<OwnedReadHalf>,
        write: OwnedWriteHalf,
    }

    impl Client {
        /// Connects and checks the `220` greeting.
        async fn connect(catcher: &SmtpCatcher) -> Client {
            let stream = TcpStream::connect(("127.0.0.1", catcher.port()))
                .await
                .unwrap();
            let (read, write) = stream.into_split();
            let mut client = Client {
                read: BufReader::new(read),
                write,
            };
            assert!(client.reply().await.starts_with("220 "));
            client
        }

        /// Sends raw bytes as they are.
        async fn send_raw(&mut self, bytes: &str) {
            self.write.write_all(bytes.as_bytes()).await.unwrap();
        }

        /// Reads one whole reply, all lines of a multi-line one included.
        async fn reply(&mut self) -> String {
            let mut reply = String::new();
            loop {
                let mut line = String::new();
                self.read.read_line(&mut line).await.unwrap();
                assert!(line.ends_with("\r\n"), "reply line {line:?}");
                reply.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return reply;
                }
            }
        }

        /// Sends a command line and returns the reply.
        async fn command(&mut self, line: &str) -> String {
            self.send_raw(&format!("{line}\r\n")).await;
            self.reply().await
        }

        /// Sends a command and checks the reply code.
        async fn expect(&mut self, line: &str, code: &str) -> String {
            let reply = self.command(line).await;
            assert!(reply.starts_with(code), "{line} -> {reply}");
            reply
        }

        /// A whole transaction; returns the reply to the end of `DATA`.
        async fn send_mail(&mut self, from: &str, to: &[&str], message: &str) -> String {
            self.expect(&format!("MAIL FROM:<{from}>"), "250").await;
            for rcpt in to {
                self.expect(&format!("RCPT TO:<{rcpt}>"), "250").await;
            }
            self.expect("DATA", "354").await;
            self.send_raw(message).await;
            self.command(".").await
        }
    }

    const MESSAGE: &str = concat!(
        "From: Switchboard <noreply@example.com>\r\n",
        "To: alice@example.com, bob@example.com\r\n",
        "Subject: =?utf-8?q?Caf=C3=A9_?=\r\n",
        " =?utf-8?b?R3LDvMOfZQ==?= ok\r\n",
        "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n",
        "\r\n",
        "Bonjour Andr=C3=A9,\r\n",
        "..a line that starts with a dot\r\n",
        "Reset here: https://app.example.com/reset?token=3Dab=\r\n",
        "c123 soon.\r\n",
    );

    #[tokio::test]
    async fn catches_a_full_transaction() {
        let catcher = SmtpCatcher::start().await;
        assert_eq!(
            catcher.url(),
            format!("smtp://127.0.0.1:{}", catcher.port())
        );
        let mut client = Client::connect(&catcher).await;

        let ehlo = client.expect("EHLO client.test", "250-").await;
        assert!(ehlo.contains("8BITMIME") && ehlo.contains("\r\n250 SMTPUTF8\r\n"));
        assert!(!ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"));
        client
            .expect(
                "MAIL FROM:<noreply@example.com> BODY=8BITMIME SMTPUTF8",
                "250",
            )
            .await;
        client.expect("RCPT TO:<alice@example.com>", "250").await;
        client.expect("RCPT TO:<Bob@Example.com>", "250").await;
        client.expect("DATA", "354").await;
        client.send_raw(MESSAGE).await;
        client.expect(".", "250").await;
        client.expect("QUIT", "221").await;

        let mails = catcher.wait_for_mails(1).await;
        let mail = &mails[0];
        assert_eq!(mail.from, "noreply@example.com");
        assert_eq!(mail.to, ["alice@example.com", "Bob@Example.com"]);
        assert!(mail.raw.contains("\r\n.a line that starts with a dot\r\n"));
        assert!(mail.raw.ends_with("c123 soon."));
        assert_eq!(mail.subject(), "Café Grüße ok");
        assert_eq!(
            mail.header("content-type").unwrap(),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            mail.text(),
            "Bonjour André,\n.a line that starts with a dot\n\
             Reset here: https://app.example.com/reset?token=abc123 soon."
        );
        assert_eq!(
            mail.link("https://app.example.com/reset").unwrap(),
            "https://app.example.com/reset?token=abc123"
        );
        assert_eq!(catcher.wait_for_mail_to("bob@example.COM").await, *mail);
    }

    #[tokio::test]
    async fn fail_next_answers_451_and_keeps_nothing() {
        let catcher = SmtpCatcher::start().await;
        catcher.fail_next(1);
        let mut client = Client::connect(&catcher).await;
        client.expect("HELO client.test", "250").await;

        let refused = client
            .send_mail("a@example.com", &["b@example.com"], MESSAGE)
            .await;
        assert_eq!(refused, "451 4.3.0 try again later\r\n");
        assert!(catcher.mails().is_empty());

        let accepted = client
            .send_mail("a@example.com", &["b@example.com"], MESSAGE)
            .await;
        assert!(accepted.starts_with("250"), "{accepted}");
        assert_eq!(catcher.wait_for_mails(1).await.len(), 1);
    }

    #[tokio::test]
    async fn serves_connections_concurrently_and_tolerates_bare_lf() {
        let catcher = SmtpCatcher::start().await;
        let mut first = Client::connect(&catcher).await;
        let mut second = Client::connect(&catcher).await;
        first.expect("EHLO one", "250").await;
        second.send_raw("helo two\n").await;
        assert!(second.reply().await.starts_with("250 "));

        first.expect("NOOP", "250").await;
        first.expect("DATA", "503").await;
        first.expect("VRFY someone", "502").await;
        first.expect("MAIL FROM:<x@example.com>", "250").await;
        first.expect("RSET", "250").await;
        first.expect("RCPT TO:<y@example.com>", "503").await;

        let bare = "Subject: plain\n\nhello\n..dotted\n";
        second
            .send_raw("MAIL FROM:<>\nRCPT TO:<z@example.com>\nDATA\n")
            .await;
        for code in ["250", "250", "354"] {
            assert!(second.reply().await.starts_with(code));
        }
        second.send_raw(&format!("{bare}.\n")).await;
        assert!(second.reply().await.starts_with("250"));

        let mail = catcher.wait_for_mail_to("z@example.com").await;
        assert_eq!(mail.from, "");
        assert_eq!(mail.subject(), "plain");
        assert_eq!(mail.text(), "hello\n.dotted");
    }

    #[test]
    fn reads_text_plain_from_multipart_alternative_in_base64() {
        let body = BASE64.encode("Hi Zoë,\r\njoin: https://app.example.com/invite/xyz\r\n");
        let raw = format!(
            "Subject: =?UTF-8?B?SW52aXRhdGlvbiDinJM=?=\r\n\
             Content-Type: multipart/alternative;\r\n \
             boundary=\"b1\"\r\n\
             \r\n\
             preamble\r\n\
             --b1\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             \r\n\
             <p>html</p>\r\n\
             --b1\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             {}\r\n{}\r\n\
             --b1--\r\n",
            &body[..20],
            &body[20..]
        );
        let mail = CaughtMail {
            from: String::new(),
            to: Vec::new(),
            raw,
        };
        assert_eq!(mail.subject(), "Invitation ✓");
        assert_eq!(
            mail.text(),
            "Hi Zoë,\njoin: https://app.example.com/invite/xyz\n"
        );
        assert_eq!(
            mail.link("https://app.example.com/invite/").as_deref(),
            Some("https://app.example.com/invite/xyz")
        );
        assert_eq!(mail.link("ftp://"), None);
    }

    #[test]
    fn leaves_text_that_is_not_an_encoded_word_alone() {
        assert_eq!(decode_encoded_words("a =? b =?x?= c"), "a =? b =?x?= c");
        assert_eq!(
            decode_encoded_words("=?utf-8?q?a?= =?utf-8?q?b?= and =?utf-8?q?c?="),
            "ab and c"
        );
        assert_eq!(decode_encoded_words("=?iso-8859-1?q?caf=E9?="), "café");
    }
}
