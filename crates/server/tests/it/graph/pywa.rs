//! A bot written with a real Cloud API client library (pywa, installed
//! from PyPI by scripts/pywa) runs on Switchboard unchanged but for its
//! base URL and token: it receives the forwarded webhooks, replies with
//! text, an image it uploads, a template, buttons and a reaction, marks the
//! customer's message read and lists templates, and the customer (the
//! sandbox) receives every one.

use super::{CUSTOMER, PNID, WABA};
use sandbox::{InboundContent, InboundMessage};
use serde_json::{Value, json};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};
use tokio::io::{AsyncBufReadExt, BufReader};

const BOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/graph/pywa_bot.py");
const SECRET: &str = "pywa-bot-app-secret-42";
const VERIFY: &str = "pywa-verify";
/// A 1×1 PNG.
const PNG: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082";

/// The Python with pywa installed (scripts/test sets it).
fn python() -> String {
    std::env::var("SWITCHBOARD_PYWA_PYTHON").unwrap_or_else(|_| {
        panic!("SWITCHBOARD_PYWA_PYTHON is not set: run the tests through scripts/test, which installs pywa (scripts/pywa)")
    })
}

/// The bot's stdout, a JSON value per line (`READY` as a string).
type Lines = Arc<Mutex<Vec<Value>>>;

fn lines_of(lines: &Lines) -> Vec<Value> {
    lines.lock().unwrap().clone()
}

#[tokio::test]
async fn a_pywa_bot_runs_on_switchboard_by_changing_only_its_base_url_and_token() {
    let python = python();
    each_engine_with_sandbox(|wa: WhatsAppTest| {
        let python = python.clone();
        async move {
            let t = wa.create_tenant("pywa").await;
            wa.connect_number(&t, PNID, WABA).await;
            wa.sandbox
                .add_template(sandbox::TemplateSpec {
                    waba_id: WABA.into(),
                    name: "hello_world".into(),
                    language: "en_US".into(),
                    category: "UTILITY".into(),
                    components: Some(json!([{ "type": "BODY", "text": "Hello!" }])),
                    status: "APPROVED".into(),
                    parameter_format: None,
                })
                .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let image = dir.path().join("picture.png");
            std::fs::write(&image, hex::decode(PNG).unwrap()).unwrap();
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();

            let bot_command = || {
                let mut c = tokio::process::Command::new(&python);
                c.arg(BOT)
                    .env("GRAPH_BASE", format!("{}/graph", wa.url))
                    .env("WA_TOKEN", &t.api_key)
                    .env("PHONE_ID", PNID)
                    .env("WABA_ID", WABA)
                    .env("APP_SECRET", SECRET)
                    .env("VERIFY_TOKEN", VERIFY)
                    .env("BOT_PORT", port.to_string())
                    .env("TEMPLATE_NAME", "hello_world")
                    .env("TEMPLATE_LANG", "en_US")
                    .env("IMAGE_PATH", &image);
                c
            };
            let mut bot = bot_command()
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("the bot starts");
            let lines: Lines = Arc::default();
            let mut out = BufReader::new(bot.stdout.take().unwrap()).lines();
            let sink = lines.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = out.next_line().await {
                    let v = serde_json::from_str(&line).unwrap_or(Value::String(line));
                    sink.lock().unwrap().push(v);
                }
            });
            wa.eventually("the bot listens", || async {
                lines_of(&lines).contains(&json!("READY"))
            })
            .await;

            // The tenant points Meta's webhooks at the bot (Meta's handshake
            // against pywa's own verification route).
            let r = wa
                .post(
                    "/api/v1/webhook-endpoints",
                    Auth::ApiKey(&t.api_key),
                    json!({ "url": format!("http://127.0.0.1:{port}/"), "format": "cloud_api",
                              "verify_token": VERIFY, "secret": SECRET }),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);

            let hi = wa.sandbox.send_text(PNID, CUSTOMER, "hi").unwrap();
            let kinds = |wa: &WhatsAppTest| -> Vec<String> {
                wa.sandbox
                    .received(PNID, CUSTOMER)
                    .iter()
                    .map(|m| m.kind.clone())
                    .collect()
            };
            wa.eventually("the customer gets every reply", || async {
                let k = kinds(&wa);
                ["reaction", "text", "image", "template", "interactive"]
                    .iter()
                    .all(|w| k.iter().any(|x| x == w))
                    && wa.sandbox.received(PNID, CUSTOMER).iter().any(|m| {
                        m.content["body"]
                            .as_str()
                            .is_some_and(|b| b.starts_with("Templates:"))
                    })
            })
            .await;
            let got = wa.sandbox.received(PNID, CUSTOMER);
            let reaction = got.iter().find(|m| m.kind == "reaction").unwrap();
            assert_eq!(
                reaction.content["message_id"],
                hi.as_str(),
                "the reaction is to the customer's message"
            );
            let hello = got
                .iter()
                .find(|m| m.content["body"] == "Hello from pywa")
                .unwrap();
            assert_eq!(
                hello.context.as_deref(),
                Some(hi.as_str()),
                "the reply quotes the customer's message"
            );
            let picture = got.iter().find(|m| m.kind == "image").unwrap();
            assert_eq!(picture.content["caption"], "A picture");
            assert!(
                picture.content["id"].is_string(),
                "sent by the id of the uploaded media: {}",
                picture.content
            );
            assert_eq!(
                got.iter().find(|m| m.kind == "template").unwrap().content["name"],
                "hello_world"
            );
            let templates = got
                .iter()
                .find(|m| {
                    m.content["body"]
                        .as_str()
                        .is_some_and(|b| b.starts_with("Templates:"))
                })
                .unwrap();
            assert!(
                templates.content["body"]
                    .as_str()
                    .unwrap()
                    .contains("hello_world"),
                "{}",
                templates.content
            );
            wa.eventually("the customer's message shows read", || async {
                wa.sandbox.inbound(&hi).is_some_and(|m| m.read)
            })
            .await;

            // The customer taps a button; the bot answers it.
            wa.sandbox
                .send_inbound(InboundMessage::new(
                    PNID,
                    CUSTOMER,
                    InboundContent::ButtonReply {
                        id: "yes".into(),
                        title: "Yes".into(),
                    },
                ))
                .unwrap();
            wa.eventually("the bot answers the button", || async {
                wa.sandbox
                    .received(PNID, CUSTOMER)
                    .iter()
                    .any(|m| m.content["body"] == "You picked yes")
            })
            .await;
            wa.eventually("statuses of the bot's sends reach it", || async {
                lines_of(&lines).iter().any(|l| l["got"] == "status")
            })
            .await;

            // Every id the bot was given for a send is the wamid the customer
            // received, and nothing failed.
            let lines = lines_of(&lines);
            let errors: Vec<&Value> = lines.iter().filter(|l| l.get("error").is_some()).collect();
            assert!(errors.is_empty(), "the bot reported errors: {errors:?}");
            let sends: Vec<&str> = lines
                .iter()
                .filter(|l| {
                    l["did"]
                        .as_str()
                        .is_some_and(|d| d.starts_with("send_") || d == "react")
                })
                .filter_map(|l| l["id"].as_str())
                .collect();
            assert!(sends.len() >= 7, "{lines:?}");
            for id in sends {
                assert!(
                    wa.sandbox.message(id).is_some(),
                    "{id} is not a wamid the customer got"
                );
            }

            // A day later the window is closed: a free-form send is refused
            // at once, and pywa reads it as Meta's 131047.
            wa.advance(25 * 3600);
            let before = wa.sandbox.received(PNID, CUSTOMER).len();
            let out = bot_command()
                .args(["send", CUSTOMER, "Are you still there?"])
                .output()
                .await
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let answer: Value = stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str(l).ok())
                .unwrap_or(Value::Null);
            assert_eq!(
                answer["refused"],
                "ReEngagementMessage",
                "{stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(answer["code"], 131047);
            assert_eq!(
                wa.sandbox.received(PNID, CUSTOMER).len(),
                before,
                "nothing went out"
            );
            drop(bot);
        }
    })
    .await;
}
