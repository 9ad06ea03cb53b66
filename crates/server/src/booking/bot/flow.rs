//! The conversation: where a customer is ([`State`]), and what the bot
//! does with their next message ([`Turn::answer`]).
//!
//! greeting → menu (book, my bookings, talk to a person) → service
//! (categories first when more than ten) → day (the next days with free
//! time) → time → name if unknown → confirm → the booking's reference and
//! how to pay. From "my bookings" a customer reschedules or cancels.
//! Every prompt remembers the options it offered, so a typed answer
//! ("2", "haircut") works as well as a tap; anything else gets the prompt
//! again, and after three misses the team is asked in. Custom replies
//! answer their keywords at any point without losing the customer's
//! place; "talk to a person" hands the conversation to the team.
//!
//! The steps themselves: `choosing` (menu, name, service, day, time),
//! `booking` (review and book) and `managing` (my bookings: move, cancel).

mod booking;
mod choosing;
mod managing;

use super::prompts::{Offer, Prompt, fold, match_offer, text};
use crate::auth::TenantCtx;
use crate::automations::conditions::has_keyword;
use crate::booking::language::Words;
use crate::booking::settings::Settings;
use domain::{BookingId, ServiceId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::TenantTx;
use store::booking::{Resource, Service};
use store::inbox::{Contact, Conversation};
use whatsapp::outgoing::OutgoingContent;

/// Misses in a row after which the team is asked in.
pub const MAX_MISSES: u8 = 3;

/// Where a customer is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Nothing under way: the next message gets the greeting.
    #[default]
    Idle,
    Menu,
    Category,
    Service,
    Day,
    Time,
    Name,
    Confirm,
    Bookings,
    Manage,
}

impl Step {
    /// How the inbox names it.
    pub fn label(self) -> &'static str {
        match self {
            Step::Idle => "idle",
            Step::Menu => "at the menu",
            Step::Category => "choosing a kind of service",
            Step::Service => "choosing a service",
            Step::Day => "choosing a day",
            Step::Time => "choosing a time",
            Step::Name => "giving their name",
            Step::Confirm => "confirming",
            Step::Bookings => "looking at their bookings",
            Step::Manage => "changing a booking",
        }
    }
}

/// A customer's place in the conversation, and what they chose so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub step: Step,
    /// The options of the last prompt.
    pub offers: Vec<Offer>,
    /// Answers not understood in a row.
    pub misses: u8,
    pub category: Option<String>,
    pub service: Option<ServiceId>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where the list of times starts (more than ten in a day).
    pub from: usize,
    pub starts_at: Option<Timestamp>,
    pub name: Option<String>,
    /// The booking being changed.
    pub booking: Option<BookingId>,
}

/// What a customer's message says to the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A tapped button or list row: its id.
    Choice(String),
    /// Typed words.
    Text(String),
}

impl Input {
    /// The input in an inbound message as Meta sent it; `None` for what the
    /// bot cannot read (a photo without caption, a reaction…).
    pub fn of(content: &Value) -> Option<Input> {
        let at = |path: &[&str]| {
            path.iter()
                .try_fold(content, |v, k| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        at(&["interactive", "button_reply", "id"])
            .or_else(|| at(&["interactive", "list_reply", "id"]))
            .or_else(|| at(&["button", "payload"]))
            .map(Input::Choice)
            .or_else(|| crate::automations::conditions::message_text(content).map(Input::Text))
    }
}

/// What a turn decided besides its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Go on with the new state.
    Continue,
    /// Hand the conversation to the team (`button`, `keyword`, `unsure`).
    HandOff(&'static str),
}

/// One turn: the customer's message in, the bot's messages out.
pub struct Turn<'a> {
    pub tx: &'a mut TenantTx,
    pub ctx: &'a TenantCtx,
    pub settings: &'a Settings,
    pub conversation: &'a Conversation,
    pub contact: &'a Contact,
    pub now: Timestamp,
    /// The services the bot offers and the resources, read once per batch
    /// of messages (the bot does not change them).
    pub catalogue: &'a mut Option<(Vec<Service>, Vec<Resource>)>,
    /// The messages to send, in order.
    pub out: Vec<OutgoingContent>,
}

/// Words that ask for a person, in every language the bot speaks.
const PERSON_WORDS: &[&str] = &[
    "human",
    "agent",
    "person",
    "someone",
    "operator",
    "humano",
    "persona",
    "pessoa",
    "atendente",
    "alguien",
    "alguem",
];

fn words_of(s: &Settings) -> &'static Words {
    s.language.words()
}

impl Turn<'_> {
    fn words(&self) -> &'static Words {
        words_of(self.settings)
    }

    fn say(&mut self, body: String) {
        self.out.push(text(&body));
    }

    fn ask(&mut self, state: &mut State, step: Step, p: Prompt) {
        state.step = step;
        state.offers = p.offers;
        self.out.push(p.content);
    }

    /// Answers `input` from `state`; the new state is in `state`.
    pub async fn answer(&mut self, state: &mut State, input: Input) -> anyhow::Result<Outcome> {
        if let Input::Text(t) = &input {
            if let Some(reply) = self.custom_reply(t) {
                self.say(reply);
                return Ok(Outcome::Continue);
            }
            let f = fold(t);
            if PERSON_WORDS.iter().any(|w| has_keyword(&f, w))
                || f == fold(self.words().talk_to_person)
            {
                return Ok(Outcome::HandOff("keyword"));
            }
        }
        if state.step == Step::Idle {
            *state = State::default();
            self.say(self.settings.greeting.clone());
            self.menu(state);
            return Ok(Outcome::Continue);
        }
        // A tap carries its id; typed words are matched to the offers.
        let choice = match &input {
            Input::Choice(id) if state.step == Step::Name && id.starts_with("name:") => {
                return self.named(state, &id["name:".len()..]).await;
            }
            Input::Choice(id) => Some(id.clone()),
            Input::Text(t) if state.step == Step::Name => {
                return self.named(state, t).await;
            }
            Input::Text(t) => match_offer(t, &state.offers).map(|o| o.id.clone()),
        };
        if choice.as_deref() == Some("human") {
            return Ok(Outcome::HandOff("button"));
        }
        // The menu's choices work from any step (a tap on an earlier
        // menu); any other tap must be on the last prompt (not a stale
        // one, and never an id the bot did not offer).
        let choice = match choice {
            Some(id) if id == "book" || id == "mine" => {
                state.step = Step::Menu;
                Some(id)
            }
            Some(id) if state.offers.iter().any(|o| o.id == id) => Some(id),
            _ => None,
        };
        let handled = match choice {
            Some(id) => self.chosen(state, &id).await?,
            None => false,
        };
        if handled {
            state.misses = 0;
            return Ok(Outcome::Continue);
        }
        state.misses += 1;
        if state.misses >= MAX_MISSES {
            return Ok(Outcome::HandOff("unsure"));
        }
        self.say(self.words().not_understood.to_owned());
        self.reprompt(state).await?;
        Ok(Outcome::Continue)
    }

    fn custom_reply(&self, t: &str) -> Option<String> {
        let f = fold(t);
        self.settings
            .responses
            .iter()
            .find(|r| r.keywords.iter().any(|k| has_keyword(&f, &fold(k))))
            .map(|r| r.reply.clone())
    }

    /// The prompt of the step the customer is at, again.
    async fn reprompt(&mut self, state: &mut State) -> anyhow::Result<()> {
        match state.step {
            Step::Idle | Step::Menu => self.menu(state),
            Step::Category => self.categories(state).await?,
            Step::Service => self.services(state).await?,
            Step::Day => self.days(state).await?,
            Step::Time => self.times(state).await?,
            Step::Name => self.ask_name(state),
            Step::Confirm => self.review(state).await?,
            Step::Bookings => self.my_bookings(state).await?,
            Step::Manage => self.manage(state).await?,
        }
        Ok(())
    }

    /// Handles a chosen option; `false` if it is not one this step takes.
    async fn chosen(&mut self, state: &mut State, id: &str) -> anyhow::Result<bool> {
        let (kind, value) = id.split_once(':').unwrap_or((id, ""));
        match (state.step, kind) {
            (Step::Menu, "book") => {
                state.booking = None;
                self.start_booking(state).await?;
            }
            (Step::Menu, "mine") => self.my_bookings(state).await?,
            (Step::Category, "cat") => {
                state.category = Some(value.to_owned());
                self.services(state).await?;
            }
            (Step::Service, "svc") => {
                let Ok(service) = value.parse() else {
                    return Ok(false);
                };
                state.service = Some(service);
                self.days(state).await?;
            }
            (Step::Day, "day") => {
                state.date = Some(value.to_owned());
                state.from = 0;
                self.times(state).await?;
            }
            (Step::Time, "more") => {
                state.from = value.parse().unwrap_or(0);
                self.times(state).await?;
            }
            (Step::Time, "time") => {
                let Ok(ms) = value.parse::<i64>() else {
                    return Ok(false);
                };
                state.starts_at = Some(Timestamp::from_millis(ms));
                if state.booking.is_some() {
                    self.move_booking(state).await?;
                } else if let Some(name) = self.known_name() {
                    state.name = Some(name);
                    self.review(state).await?;
                } else {
                    self.ask_name(state);
                }
            }
            (Step::Confirm, "confirm") => self.book(state).await?,
            (Step::Confirm, "change") => self.days(state).await?,
            (Step::Confirm, "cancel") | (Step::Manage, "keep") => {
                *state = State::default();
                self.menu(state);
            }
            (Step::Bookings, "bk") => {
                let Ok(b) = value.parse() else {
                    return Ok(false);
                };
                state.booking = Some(b);
                self.manage(state).await?;
            }
            (Step::Manage, "resched") => {
                let Some(b) = state.booking else {
                    return Ok(false);
                };
                let b = self.tx.find_booking(b).await?;
                state.service = Some(b.service_id);
                self.days(state).await?;
            }
            (Step::Manage, "drop") => self.cancel_booking(state).await?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
