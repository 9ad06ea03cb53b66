//! The whole conversation, driven by sandbox customers with interactive
//! replies and typed answers: booking, rescheduling and cancelling from
//! the chat, custom replies, the idle restart, the hand-off and its
//! release, and reminders. Clocks are moved, never waited on.

use super::{DAY, HOUR, advance, mornings, resource, service, settings};
use sandbox::{InboundContent, InboundMessage, OutboundMessage};
use serde_json::{Value, json};
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352243001";
const WABA: &str = "102290129343001";

/// A tenant with the bot on its number: weekday mornings (UTC), hourly
/// slots, an hour's notice, a haircut and one chair; the haircut's id.
async fn shop(wa: &WhatsAppTest, slug: &str, extra: Value) -> (TestTenant, String) {
    let t = wa.create_tenant(slug).await;
    let channel = wa.connect_number(&t, PNID, WABA).await;
    let mut body = json!({
        "channel_ids": [channel], "time_zone": "UTC", "weekly": mornings(),
        "slot_minutes": 60, "min_notice_minutes": 60, "greeting": "Welcome to Cuts!",
        "payment": { "on_site": true, "bank_transfer": "IBAN PT50 0000 0000" },
        "responses": [{ "keywords": ["parking"], "reply": "Free parking behind the shop." }],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    settings(wa, &t, body).await;
    let s = service(
        wa,
        &t,
        json!({ "name": "Haircut", "currency": "EUR",
        "price_minor": 2500, "duration_minutes": 60, "icon": "✂️" }),
    )
    .await;
    resource(wa, &t, json!({ "name": "Chair" })).await;
    (t, s["id"].as_str().unwrap().to_owned())
}

/// Moves both clocks to the next Monday, 00:00 UTC (see
/// [`super::to_monday`]); its day number.
fn to_monday(wa: &WhatsAppTest) -> i64 {
    let before = wa.state.now().as_millis();
    let day = super::to_monday(wa);
    let moved = wa.state.now().as_millis() - before;
    wa.sandbox
        .advance_clock(std::time::Duration::from_millis(moved.unsigned_abs()));
    day
}

async fn received(wa: &WhatsAppTest, t: &TestTenant) -> usize {
    let names = crate::crm_notes::event_names(wa, t).await;
    names.iter().filter(|n| *n == "message.received").count()
}

/// Customer `who` sends `content`; returns once it is stored and the bot
/// has answered.
async fn says(wa: &WhatsAppTest, t: &TestTenant, who: &str, content: InboundContent) {
    let before = received(wa, t).await;
    wa.sandbox
        .send_inbound(InboundMessage::new(PNID, who, content))
        .unwrap();
    wa.eventually("the message is stored", || async {
        received(wa, t).await > before
    })
    .await;
    wa.drain().await;
}

async fn types(wa: &WhatsAppTest, t: &TestTenant, who: &str, text: &str) {
    let body = text.to_owned();
    says(wa, t, who, InboundContent::Text { body }).await;
}

/// Taps the button or list row `id` of the last message.
async fn taps(wa: &WhatsAppTest, t: &TestTenant, who: &str, id: &str) {
    let last = last(wa, who);
    let title = options(&last)
        .into_iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no option {id} in {}", last.content))
        .1;
    let content = if last.content["type"] == "list" {
        InboundContent::ListReply {
            id: id.to_owned(),
            title,
            description: None,
        }
    } else {
        InboundContent::ButtonReply {
            id: id.to_owned(),
            title,
        }
    };
    says(wa, t, who, content).await;
}

fn all(wa: &WhatsAppTest, who: &str) -> Vec<OutboundMessage> {
    wa.sandbox.received(PNID, who)
}

fn last(wa: &WhatsAppTest, who: &str) -> OutboundMessage {
    all(wa, who).pop().expect("the customer got a message")
}

/// The (id, title) of each button or row of an interactive message.
fn options(m: &OutboundMessage) -> Vec<(String, String)> {
    let action = &m.content["action"];
    let buttons = action["buttons"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Value> = action["sections"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
        .collect();
    buttons
        .iter()
        .map(|b| &b["reply"])
        .chain(rows.iter())
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The id of the option of the last message whose title is `title`.
fn option(wa: &WhatsAppTest, who: &str, title: &str) -> String {
    let m = last(wa, who);
    options(&m)
        .into_iter()
        .find(|(_, t)| t == title)
        .unwrap_or_else(|| panic!("no option {title} in {}", m.content))
        .0
}

/// What a message says: a text's body or an interactive message's body.
fn said(m: &OutboundMessage) -> String {
    m.content["body"]
        .as_str()
        .or_else(|| m.content["body"]["text"].as_str())
        .unwrap_or_default()
        .to_owned()
}

async fn bookings(wa: &WhatsAppTest, t: &TestTenant) -> Vec<Value> {
    let r = wa.get("/api/v1/bookings", Auth::ApiKey(&t.api_key)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_customer_books_moves_and_cancels_from_the_chat() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let (t, _) = shop(&wa, "bot-books", json!({})).await;
        let monday = to_monday(&wa);
        advance(&wa, 8 * HOUR);
        let ann = "15550430001";

        // The greeting and the menu.
        types(&wa, &t, ann, "hello").await;
        let got = all(&wa, ann);
        assert_eq!(said(&got[0]), "Welcome to Cuts!");
        assert_eq!(
            options(&got[1])
                .iter()
                .map(|o| o.0.as_str())
                .collect::<Vec<_>>(),
            ["book", "mine", "human"]
        );

        // Book → the services; a typed answer picks one.
        taps(&wa, &t, ann, "book").await;
        assert_eq!(last(&wa, ann).content["type"], "list");
        assert_eq!(options(&last(&wa, ann))[0].1, "✂️ Haircut");
        types(&wa, &t, ann, "haircut").await;
        // The days with free time: today (09:00 is an hour away) first.
        let days = options(&last(&wa, ann));
        assert_eq!(days[0].0, format!("day:{}", super::date(monday)));
        assert_eq!(days.len(), 10, "a list's ten rows");
        assert_eq!(days[4].0, format!("day:{}", super::date(monday + 4)));
        assert_eq!(
            days[5].0,
            format!("day:{}", super::date(monday + 7)),
            "weekdays only"
        );
        taps(&wa, &t, ann, &days[1].0).await;
        let times: Vec<String> = options(&last(&wa, ann)).into_iter().map(|o| o.1).collect();
        assert_eq!(times, ["09:00", "10:00", "11:00"]);
        taps(&wa, &t, ann, &option(&wa, ann, "10:00")).await;

        // The name: the profile's is offered, a typed one is taken.
        assert_eq!(
            said(&last(&wa, ann)),
            "What name should the booking be under?"
        );
        types(&wa, &t, ann, "Ann Lee").await;
        let review = said(&last(&wa, ann));
        assert!(review.starts_with("Haircut on Tue "), "{review}");
        assert!(review.contains("10:00, €25.00, for Ann Lee"), "{review}");
        taps(&wa, &t, ann, "confirm").await;
        let done = said(&last(&wa, ann));
        assert!(done.starts_with("Booked! Haircut on Tue "), "{done}");
        assert!(done.contains("You can pay at the appointment."), "{done}");
        assert!(done.contains("IBAN PT50 0000 0000"), "{done}");
        let b = bookings(&wa, &t).await;
        assert_eq!(b.len(), 1);
        let reference = b[0]["reference"].as_str().unwrap().to_owned();
        assert!(done.contains(&reference), "{done}");
        assert_eq!(b[0]["status"], "confirmed");
        assert_eq!(b[0]["source"], "bot");
        assert_eq!(b[0]["customer_name"], "Ann Lee");
        assert_eq!(b[0]["starts_at"], super::at(monday + 1, 10, 0));

        // Another customer no longer sees Tuesday 10:00.
        let bob = "15550430002";
        types(&wa, &t, bob, "hi").await;
        taps(&wa, &t, bob, "book").await;
        types(&wa, &t, bob, "1").await;
        taps(&wa, &t, bob, &format!("day:{}", super::date(monday + 1))).await;
        let times: Vec<String> = options(&last(&wa, bob)).into_iter().map(|o| o.1).collect();
        assert_eq!(times, ["09:00", "11:00"]);

        // Ann moves hers to 11:00 from "my bookings".
        types(&wa, &t, ann, "hi again").await;
        taps(&wa, &t, ann, "mine").await;
        let id = b[0]["id"].as_str().unwrap();
        taps(&wa, &t, ann, &format!("bk:{id}")).await;
        taps(&wa, &t, ann, "resched").await;
        taps(&wa, &t, ann, &format!("day:{}", super::date(monday + 1))).await;
        taps(&wa, &t, ann, &option(&wa, ann, "11:00")).await;
        assert!(said(&last(&wa, ann)).starts_with("Done: Haircut is now on Tue "));
        let b = bookings(&wa, &t).await;
        assert_eq!(b[0]["starts_at"], super::at(monday + 1, 11, 0));

        // And cancels it.
        types(&wa, &t, ann, "hi").await;
        taps(&wa, &t, ann, "mine").await;
        taps(&wa, &t, ann, &format!("bk:{id}")).await;
        taps(&wa, &t, ann, "drop").await;
        assert_eq!(
            said(&last(&wa, ann)),
            format!("Your booking {reference} is cancelled.")
        );
        assert_eq!(bookings(&wa, &t).await[0]["status"], "cancelled");
        let events = crate::crm_notes::event_names(&wa, &t).await;
        for name in [
            "booking.created",
            "booking.rescheduled",
            "booking.cancelled",
        ] {
            assert_eq!(
                events.iter().filter(|n| *n == name).count(),
                1,
                "{name}: {events:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn custom_replies_idle_restarts_and_the_hand_off() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let (t, _) = shop(&wa, "bot-hand-off", json!({ "idle_minutes": 30 })).await;
        to_monday(&wa);
        advance(&wa, 8 * HOUR);
        let cy = "15550430003";
        types(&wa, &t, cy, "hi").await;
        taps(&wa, &t, cy, "book").await;

        // A custom reply keeps the customer's place.
        types(&wa, &t, cy, "Is there parking?").await;
        assert_eq!(said(&last(&wa, cy)), "Free parking behind the shop.");
        types(&wa, &t, cy, "haircut").await;
        assert!(options(&last(&wa, cy))[0].0.starts_with("day:"));

        // Silent past the idle time: the next message starts over.
        advance(&wa, 31 * 60);
        types(&wa, &t, cy, "monday please").await;
        let got = all(&wa, cy);
        let n = got.len();
        assert_eq!(said(&got[n - 3]), "Let's start again.");
        assert_eq!(said(&got[n - 2]), "Welcome to Cuts!");
        assert_eq!(said(&got[n - 1]), "What would you like to do?");

        // Three answers not understood: the team is asked in, and the bot
        // is quiet until the conversation is resolved.
        // (The first: a tap on a time the bot never offered.)
        let forged = InboundContent::ListReply {
            id: "time:1900000000000".into(),
            title: "10:00".into(),
            description: None,
        };
        says(&wa, &t, cy, forged).await;
        assert!(
            said(&all(&wa, cy)[all(&wa, cy).len() - 2]).starts_with("Sorry, I did not understand")
        );
        for _ in 0..1 {
            types(&wa, &t, cy, "banana").await;
            assert!(
                said(&all(&wa, cy)[all(&wa, cy).len() - 2])
                    .starts_with("Sorry, I did not understand")
            );
        }
        types(&wa, &t, cy, "banana").await;
        assert!(said(&last(&wa, cy)).starts_with("I have asked a member of the team"));
        let events = crate::crm_contacts::events(&wa, &t).await;
        let handed: Vec<&Value> = events
            .iter()
            .filter(|(n, _)| n == "booking.handed_off")
            .map(|(_, p)| p)
            .collect();
        assert_eq!(handed.len(), 1);
        assert_eq!(handed[0]["reason"], "unsure");
        let quiet = all(&wa, cy).len();
        types(&wa, &t, cy, "hello?").await;
        assert_eq!(all(&wa, cy).len(), quiet, "the bot stays quiet");

        // Agents see where the customer is with the bot.
        let conversation = handed[0]["conversation_id"].as_str().unwrap();
        let session = format!("/api/v1/conversations/{conversation}/booking-session");
        let r = wa.get(&session, Auth::ApiKey(&t.api_key)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["handed_off"], true);
        let mut b = crate::dashboard::client::Browser::sign_in(
            &wa,
            &t.slug,
            &t.owner.email,
            &t.owner.password,
        )
        .await;
        let page = b.get(&format!("/app/inbox/{conversation}")).await;
        assert!(
            page.html.contains("Booking bot: handed to the team"),
            "{}",
            page.html
        );

        // Resolved: the bot answers again, from the start.
        let r = wa
            .patch(
                &format!("/api/v1/conversations/{conversation}"),
                Auth::ApiKey(&t.api_key),
                json!({ "status": "resolved" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        types(&wa, &t, cy, "hi").await;
        assert_eq!(said(&last(&wa, cy)), "What would you like to do?");
        let r = wa.get(&session, Auth::ApiKey(&t.api_key)).await;
        assert_eq!(r.body["handed_off"], false);
        assert_eq!(r.body["step"], "menu");
        assert_eq!(r.body["step_label"], "at the menu");

        // "Talk to a person" by button.
        taps(&wa, &t, cy, "human").await;
        assert!(said(&last(&wa, cy)).starts_with("I have asked a member of the team"));
    })
    .await;
}

#[tokio::test]
async fn reminders_go_before_the_appointment_once() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let (t, _) = shop(&wa, "bot-reminders", json!({ "reminder_minutes": [120] })).await;
        let monday = to_monday(&wa);
        advance(&wa, 8 * HOUR);
        let di = "15550430004";
        types(&wa, &t, di, "hi").await;
        taps(&wa, &t, di, "book").await;
        types(&wa, &t, di, "haircut").await;
        taps(&wa, &t, di, &format!("day:{}", super::date(monday))).await;
        taps(&wa, &t, di, &option(&wa, di, "11:00")).await;
        let name = options(&last(&wa, di))[0].0.clone();
        assert_eq!(
            name, "name:Sandbox Customer",
            "the profile's name is offered"
        );
        taps(&wa, &t, di, &name).await;
        taps(&wa, &t, di, "confirm").await;
        let b = bookings(&wa, &t).await;
        assert_eq!(b[0]["customer_name"], "Sandbox Customer");
        assert_eq!(b[0]["remind_at"], super::at(monday, 9, 0));
        let before = all(&wa, di).len();

        // 08:59: not yet. 09:00: once, with the reference.
        advance(&wa, 59 * 60 - 1);
        wa.drain().await;
        assert_eq!(all(&wa, di).len(), before);
        advance(&wa, 61);
        wa.drain().await;
        wa.drain().await;
        let got = all(&wa, di);
        assert_eq!(got.len(), before + 1);
        let reminder = said(&got[before]);
        assert!(
            reminder.starts_with("Reminder: Haircut on Mon "),
            "{reminder}"
        );
        assert!(
            reminder.contains(b[0]["reference"].as_str().unwrap()),
            "{reminder}"
        );
        advance(&wa, HOUR);
        wa.drain().await;
        assert_eq!(all(&wa, di).len(), before + 1, "once");
        let id = b[0]["id"].as_str().unwrap();
        let r = wa
            .get(&format!("/api/v1/bookings/{id}"), Auth::ApiKey(&t.api_key))
            .await;
        let actions: Vec<&str> = r.body["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["created", "reminded"]);
        assert_eq!(r.body["remind_at"], Value::Null);
        let _ = DAY;
    })
    .await;
}

#[tokio::test]
async fn times_are_the_shops_wall_clock_across_a_daylight_saving_change() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let r = json!([{"start": "09:00", "end": "12:00"}]);
        let (t, _) = shop(
            &wa,
            "bot-dst",
            json!({ "time_zone": "Europe/Lisbon", "reminder_minutes": [1440],
                    "weekly": { "saturday": r, "sunday": r, "monday": r } }),
        )
        .await;
        // Saturday 27 March 2027, 08:00 in Lisbon (UTC+0); the clocks go
        // forward to UTC+1 that night.
        let target = jiff::Timestamp::from_second(1_806_134_400).unwrap();
        assert_eq!(target.to_string(), "2027-03-27T08:00:00Z");
        let now = wa.state.now().as_millis() / 1000;
        assert!(
            target.as_second() > now,
            "the test clock starts before March 2027"
        );
        advance(&wa, target.as_second() - now);

        let ed = "15550430005";
        types(&wa, &t, ed, "hi").await;
        taps(&wa, &t, ed, "book").await;
        types(&wa, &t, ed, "haircut").await;
        let days: Vec<String> = options(&last(&wa, ed)).into_iter().map(|o| o.1).collect();
        assert_eq!(days[..3], ["Sat 27 Mar", "Sun 28 Mar", "Mon 29 Mar"]);
        taps(&wa, &t, ed, "day:2027-03-29").await;
        let times: Vec<String> = options(&last(&wa, ed)).into_iter().map(|o| o.1).collect();
        assert_eq!(
            times,
            ["09:00", "10:00", "11:00"],
            "wall-clock hours after the change"
        );
        taps(&wa, &t, ed, &option(&wa, ed, "10:00")).await;
        types(&wa, &t, ed, "Ed").await;
        assert!(said(&last(&wa, ed)).contains("Mon 29 Mar, 10:00"));
        taps(&wa, &t, ed, "confirm").await;
        let b = bookings(&wa, &t).await;
        // 10:00 in Lisbon on the Monday is 09:00 UTC (summer time); the
        // reminder a day before is 09:00 UTC on Sunday, 10:00 in Lisbon.
        assert_eq!(b[0]["starts_at"], "2027-03-29T09:00:00Z");
        assert_eq!(b[0]["remind_at"], "2027-03-28T09:00:00Z");
    })
    .await;
}
