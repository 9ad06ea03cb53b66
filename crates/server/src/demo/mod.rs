//! `switchboard demo`: one command, no configuration. An embedded database
//! in a fresh temporary directory, the Cloud API sandbox in-process, a demo
//! tenant with two numbers set up through the public API exactly as a
//! customer would, simulated customers writing in every few seconds, a
//! webhook endpoint whose deliveries this console prints, and a CRM to work
//! with (tags, quick replies, a contact field, a deal, a task, a segment,
//! a team its numbers' new conversations are assigned to, templates read
//! from Meta and a draft campaign to the VIPs: [`crm`]), and workflows that
//! answer questions about catering and opening hours ([`automations`]),
//! and a booking bot on a third number that a person tries from the
//! sandbox ([`booking`]), and a Genesys contact centre that takes the
//! Delivery number's conversations whose customers ask for an agent
//! ([`genesys`]).

mod automations;
mod booking;
mod crm;
mod genesys;

use crate::config::{Config, Secret};
use crate::crypto::random_token;
use crate::server::{bootstrap_operator, build_state, shutdown_signal, start};
use anyhow::{Context as _, bail};
use rand::seq::IndexedRandom as _;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// The demo tenant's numbers: (phone_number_id, WABA id, access token, name).
const NUMBERS: [(&str, &str, &str, &str); 2] = [
    (
        "106540352242922",
        "102290129340398",
        "demo-token-shop",
        "Demo Coffee — Shop",
    ),
    (
        "113982746610537",
        "102290129340398",
        "demo-token-deli",
        "Demo Coffee — Delivery",
    ),
];
/// The number the booking bot answers on: no simulated customer writes
/// there, so a person can try the bot.
pub const BOOKING_NUMBER: (&str, &str, &str, &str) = (
    "120334455667788",
    "102290129340398",
    "demo-token-workshops",
    "Demo Coffee — Workshops",
);
pub const OWNER_EMAIL: &str = "owner@demo.switchboard.local";
pub const OWNER_PASSWORD: &str = "demo-owner-password";
pub const TENANT_SLUG: &str = "demo";

/// Simulated customers: (wa_id, profile name).
const CUSTOMERS: [(&str, &str); 6] = [
    ("15551230001", "Ana Souza"),
    ("15551230002", "Ben Okafor"),
    ("15551230003", "Chen Wei"),
    ("15551230004", "Dana Levi"),
    ("15551230005", "Emil Novak"),
    ("15551230006", "Fatima Zahra"),
];
const LINES: [&str; 11] = [
    "Hi! Are you open on Sunday?",
    "Can I order two flat whites for pickup at 9?",
    "Do you have oat milk?",
    "My delivery hasn't arrived yet 🙁",
    "Thanks, that was quick!",
    "What's the soup of the day?",
    "Can I change my order to decaf?",
    "Is there parking nearby?",
    "Do you do catering for 20 people?",
    "STOP sending me offers please",
    "Can I talk to an agent about a refund?",
];

/// Runs the demo until Ctrl-C. `base` is the configuration loaded as for
/// `serve` (its listen address is used; storage and Meta are the demo's).
pub async fn run(base: Config) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("switchboard-demo-")
        .tempdir()
        .context("creating the demo's data directory")?;
    let app_secret = random_token::<24>();
    let sandbox = sandbox::Sandbox::start(sandbox::SandboxConfig {
        app_secret: app_secret.clone(),
        status_delay: Duration::from_millis(700),
        auto_read: true,
        numbers: NUMBERS
            .iter()
            .chain([&BOOKING_NUMBER])
            .map(|(pnid, waba, token, name)| {
                let mut n = sandbox::NumberSpec::new(pnid, waba, token);
                n.verified_name = (*name).to_owned();
                n
            })
            .collect(),
        ..sandbox::SandboxConfig::default()
    })
    .await?;
    for (name, body) in [
        (
            "order_ready",
            "Hi {{1}}, your order {{2}} is ready for pickup.",
        ),
        (
            "we_miss_you",
            "Hi {{1}}, it's been a while! Your next coffee is on us.",
        ),
    ] {
        let mut spec = sandbox::TemplateSpec::approved(NUMBERS[0].1, name, "en_US");
        spec.components = Some(json!([{ "type": "BODY", "text": body }]));
        sandbox.add_template(spec)?;
    }

    let contact_centre = genesys::start_sandbox().await?;

    let listener = TcpListener::bind(base.listen).await.with_context(|| {
        format!(
            "binding {} (set SWITCHBOARD_LISTEN to use another)",
            base.listen
        )
    })?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let mut webhooks = base.webhooks;
    // The demo's receiver is a plain-http listener on this machine.
    webhooks.allow_http = true;
    webhooks.allow_private = true;
    let config = Config {
        webhooks,
        database_url: format!("sqlite://{}", dir.path().join("demo.db").display()),
        data_dir: dir.path().to_owned(),
        master_key: None,
        public_url: url.clone(),
        graph_base_url: sandbox.base_url(),
        genesys_base_url: Some(contact_centre.base_url()),
        meta_app_secret: Some(Secret::new(app_secret.clone())),
        ..base
    };
    let state = build_state(config, Arc::new(domain::SystemClock)).await?;
    let operator_password = bootstrap_operator(&state)
        .await?
        .context("a fresh demo database has no operator yet")?;
    let server = start(listener, state.clone())?;
    let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
    let workers = crate::server::spawn_workers(&state, workers_stopped).await;
    sandbox.set_webhook(Some(format!("{url}/webhooks/whatsapp")), app_secret);

    let receiver = print_webhooks().await?;
    let bot = format!("{receiver}/bot");
    let receiver = format!("{receiver}/hooks");
    let api_key = seed(
        &url,
        &state.config.operator_email,
        &operator_password,
        &receiver,
        &bot,
    )
    .await?;
    println!();
    println!("  Switchboard demo is running at {url}/app");
    println!();
    println!("  Tenant owner:  {OWNER_EMAIL} / {OWNER_PASSWORD}  (tenant `{TENANT_SLUG}`)");
    println!(
        "  Operator:      {} / {operator_password}",
        state.config.operator_email
    );
    println!("  API key:       {api_key}");
    println!("  API docs:      {url}/api/docs");
    println!("  Cloud API sandbox: {}", sandbox.base_url());
    println!("  Webhook endpoint:  {receiver} (its deliveries are printed below)");
    println!("  Cloud API bots:    base URL {url}/graph, token: the API key; Meta's webhooks");
    println!("                     are forwarded to a stand-in bot at {bot} (printed below)");
    println!("  CRM: tags, quick replies (type / in a reply), a contact field, a deal on the");
    println!("  Catering board with a task, and a VIP segment are set up. New conversations");
    println!("  go to the Baristas team, in turn (Settings → Teams). A draft campaign to the");
    println!("  VIPs waits under Campaigns.");
    println!();
    println!(
        "  Booking bot: write to the Workshops number ({}) as a customer:",
        BOOKING_NUMBER.0
    );
    println!(
        "    curl -X POST {}/_sandbox/inbound -H 'Content-Type: application/json' \\",
        sandbox.base_url()
    );
    println!(
        "      -d '{{\"phone_number_id\":\"{}\",\"from\":\"15550009999\",\"type\":\"text\",\"body\":\"hi\"}}'",
        BOOKING_NUMBER.0
    );
    println!(
        "    curl '{}/_sandbox/messages?to=15550009999'   # the bot's replies (tap with \"type\":\"button_reply\" or \"list_reply\" and an \"id\")",
        sandbox.base_url()
    );
    println!("  Bookings are under Bookings in the dashboard.");
    println!();
    println!(
        "  Genesys: the Delivery number ({}) is linked to a Genesys sandbox ({}) whose",
        NUMBERS[1].0,
        contact_centre.base_url()
    );
    println!("  agent answers every message. Customers who ask for an \"agent\" are handed");
    println!("  over (Genesys in the dashboard); take a conversation back from its thread.");
    println!();
    println!("  Analytics: messages by day and hour, response times against 15-minute and");
    println!("  4-hour targets, campaigns, automations and bookings fill in as customers");
    println!("  write (Analytics in the dashboard; the same figures at /api/v1/analytics/…).");
    println!();
    println!("  Plans and usage: the workspace is on Starter; Settings → Usage shows this");
    println!("  month's messages by category, and a banner warns at 80 % of the plan. The");
    println!("  operator edits plans under Plans. No SMTP is set, so emails (invitations,");
    println!("  password resets, usage warnings) are kept: the operator reads them under");
    println!("  Emails in the console.");
    println!();
    println!("  Simulated customers write in every few seconds. Ctrl-C stops the demo");
    println!("  and deletes its data.");
    println!();

    let customers = tokio::spawn(simulate_customers(sandbox.clone()));
    shutdown_signal().await;
    customers.abort();
    server.stop().await;
    let _ = stop_workers.send(true);
    for w in workers {
        let _ = w.await;
    }
    state.store.close().await;
    sandbox.shutdown().await;
    contact_centre.shutdown().await;
    Ok(())
}

/// The verify token of the demo's stand-in bot.
const BOT_VERIFY_TOKEN: &str = "demo-bot-verify";

/// A receiver for the demo tenant's webhook endpoints on a free local port:
/// at `/hooks` it prints each event delivery and answers 200; at `/bot` it
/// stands in for a bot written for the Cloud API (answers Meta's handshake,
/// prints each forwarded Meta webhook). Returns its base URL.
async fn print_webhooks() -> anyhow::Result<String> {
    use axum::extract::Query;
    use axum::http::HeaderMap;
    use std::collections::HashMap;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let bot = axum::routing::get(|Query(q): Query<HashMap<String, String>>| async move {
        match (q.get("hub.verify_token"), q.get("hub.challenge")) {
            (Some(t), Some(c)) if t == BOT_VERIFY_TOKEN => (axum::http::StatusCode::OK, c.clone()),
            _ => (axum::http::StatusCode::FORBIDDEN, String::new()),
        }
    })
    .post(|headers: HeaderMap, body: axum::body::Bytes| async move {
        let webhook: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let change = &webhook["entry"][0]["changes"][0];
        println!(
            "  bot      Meta webhook: {:<14} number {}  signed: {}",
            change["field"].as_str().unwrap_or("?"),
            change["value"]["metadata"]["phone_number_id"]
                .as_str()
                .unwrap_or("-"),
            headers.contains_key("x-hub-signature-256")
        );
    });
    let app = axum::Router::new().route("/bot", bot).route(
        "/hooks",
        axum::routing::post(|headers: HeaderMap, body: axum::body::Bytes| async move {
            let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            println!(
                "  webhook  {:<24} seq {:<5} signed: {}",
                header("switchboard-event"),
                event["seq"],
                !header("switchboard-signature").is_empty()
            );
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

/// Creates the demo tenant through the public API, with a webhook endpoint
/// at `receiver` and a Cloud API one at `bot`; returns its API key.
async fn seed(
    url: &str,
    operator_email: &str,
    operator_password: &str,
    receiver: &str,
    bot: &str,
) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, token: Option<&str>, body: Value| {
        let mut req = http.request(method, format!("{url}{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await?;
            let status = res.status();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            if !status.is_success() {
                bail!("demo set-up call failed ({status}): {body}");
            }
            Ok::<Value, anyhow::Error>(body)
        }
    };
    let operator = call(
        reqwest::Method::POST,
        "/api/v1/operator/login",
        None,
        json!({ "email": operator_email, "password": operator_password }),
    )
    .await?;
    let operator_token = operator["access_token"]
        .as_str()
        .context("operator token")?;
    let created = call(
        reqwest::Method::POST,
        "/api/v1/operator/tenants",
        Some(operator_token),
        json!({ "name": "Demo Coffee", "slug": TENANT_SLUG, "owner_email": OWNER_EMAIL,
                "plan": "professional" }),
    )
    .await?;
    let invite = created["owner_invite"]["token"]
        .as_str()
        .context("owner invitation token")?;
    let api_key = created["api_key"]["secret"]
        .as_str()
        .context("first API key")?
        .to_owned();
    let owner = call(
        reqwest::Method::POST,
        "/api/v1/auth/accept-invite",
        None,
        json!({ "token": invite, "name": "Demo Owner", "password": OWNER_PASSWORD }),
    )
    .await?;
    let mut channels = Vec::new();
    for (pnid, waba, token, _) in NUMBERS.into_iter().chain([BOOKING_NUMBER]) {
        let channel = call(
            reqwest::Method::POST,
            "/api/v1/channels",
            Some(&api_key),
            json!({ "phone_number_id": pnid, "waba_id": waba, "access_token": token }),
        )
        .await?;
        channels.push(channel["id"].clone());
    }
    // Both numbers' new conversations go to the Baristas, in turn.
    let team = call(
        reqwest::Method::POST,
        "/api/v1/teams",
        Some(&api_key),
        json!({ "name": "Baristas", "assignment": "round_robin", "member_ids": [owner["id"]] }),
    )
    .await?;
    let bookings_channel = channels.pop().context("the workshops number")?;
    let delivery_channel = channels.get(1).cloned().context("the delivery number")?;
    for channel in channels {
        let path = format!(
            "/api/v1/channels/{}/team",
            channel.as_str().unwrap_or_default()
        );
        call(
            reqwest::Method::PUT,
            &path,
            Some(&api_key),
            json!({ "team_id": team["id"] }),
        )
        .await?;
    }
    call(
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        Some(&api_key),
        json!({ "url": receiver, "events": ["message.*", "conversation.*"],
                "description": "Demo receiver (prints to the demo's console)" }),
    )
    .await?;
    call(
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        Some(&api_key),
        json!({ "url": bot, "format": "cloud_api", "verify_token": BOT_VERIFY_TOKEN,
                "description": "Stand-in Cloud API bot (prints to the demo's console)" }),
    )
    .await?;
    crm::seed_crm(&call, &api_key).await?;
    automations::seed_automations(&call, &api_key).await?;
    genesys::seed_genesys(&call, &api_key, &delivery_channel).await?;
    let now = jiff::Timestamp::now();
    booking::seed_booking(&call, &api_key, &bookings_channel, now).await?;
    call(
        reqwest::Method::PUT,
        "/api/v1/analytics/targets",
        Some(&api_key),
        json!({ "first_response_minutes": 15, "resolution_minutes": 240 }),
    )
    .await
    .context("the demo's analytics targets")?;
    Ok(api_key)
}

/// Every few seconds a customer writes to one of the demo numbers.
async fn simulate_customers(sandbox: sandbox::Sandbox) {
    loop {
        let (number, customer, line) = {
            let mut rng = rand::rng();
            let number = NUMBERS.choose(&mut rng).map_or(NUMBERS[0].0, |n| n.0);
            let customer = *CUSTOMERS.choose(&mut rng).unwrap_or(&CUSTOMERS[0]);
            let line = LINES.choose(&mut rng).copied().unwrap_or(LINES[0]);
            (number, customer, line)
        };
        let mut msg = sandbox::InboundMessage::text(number, customer.0, line);
        msg.profile_name = Some(customer.1.to_owned());
        if let Err(e) = sandbox.send_inbound(msg) {
            tracing::warn!(error = %e, "demo customer could not write in");
        }
        let pause = 3 + rand::random::<u64>() % 5;
        tokio::time::sleep(Duration::from_secs(pause)).await;
    }
}
