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

use super::prompts::{self, Offer, Prompt, Row, buttons, fold, list, match_offer, text};
use crate::auth::TenantCtx;
use crate::automations::conditions::has_keyword;
use crate::booking::availability::{self, Held, Slot};
use crate::booking::bookings::{self, NewBooking, Via};
use crate::booking::language::{Words, fill};
use crate::booking::settings::Settings;
use crate::error::AppError;
use domain::{BookingId, ServiceId, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::TenantTx;
use store::booking::{BookingFilter, BookingStatus, Resource, Service};
use store::inbox::{Contact, Conversation};
use store::page::PageRequest;
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

    /// The name the team gave the contact: no need to ask.
    fn known_name(&self) -> Option<String> {
        self.contact.name.clone().filter(|n| !n.trim().is_empty())
    }

    /// Asks for the booking's name, offering the WhatsApp profile's as a
    /// button (a profile name is often a nickname, so it is not assumed).
    fn ask_name(&mut self, state: &mut State) {
        let w = self.words();
        let profile = self
            .contact
            .profile_name
            .clone()
            .filter(|n| !n.trim().is_empty());
        match profile {
            Some(p) => {
                let prompt = buttons(w.ask_name, vec![Offer::new(format!("name:{p}"), p)]);
                self.ask(state, Step::Name, prompt);
            }
            None => {
                state.step = Step::Name;
                state.offers.clear();
                self.say(w.ask_name.to_owned());
            }
        }
    }

    fn menu(&mut self, state: &mut State) {
        let w = self.words();
        let p = buttons(
            w.menu,
            vec![
                Offer::new("book", w.book),
                Offer::new("mine", w.my_bookings),
                Offer::new("human", w.talk_to_person),
            ],
        );
        self.ask(state, Step::Menu, p);
    }

    /// The services someone gives, and the resources.
    async fn catalogue(&mut self) -> anyhow::Result<(Vec<Service>, Vec<Resource>)> {
        if let Some(c) = self.catalogue.as_ref() {
            return Ok(c.clone());
        }
        let resources = self.tx.list_resources().await?;
        let services: Vec<Service> = self
            .tx
            .list_services()
            .await?
            .into_iter()
            .filter(|s| !availability::givers(s, &resources).is_empty())
            .collect();
        *self.catalogue = Some((services.clone(), resources.clone()));
        Ok((services, resources))
    }

    async fn start_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        state.category = None;
        let (services, _) = self.catalogue().await?;
        if services.len() > prompts::MAX_ROWS && services.iter().any(|s| s.category.is_some()) {
            self.categories(state).await
        } else {
            self.services(state).await
        }
    }

    async fn categories(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (services, _) = self.catalogue().await?;
        let mut names: Vec<String> = services
            .iter()
            .map(|s| s.category.clone().unwrap_or_default())
            .collect();
        names.dedup();
        let rows = names
            .into_iter()
            .map(|c| Row {
                offer: Offer::new(
                    format!("cat:{c}"),
                    if c.is_empty() { "…".to_owned() } else { c },
                ),
                description: None,
            })
            .collect();
        let w = self.words();
        let p = list(w.choose_category, w.categories, w.categories, rows);
        self.ask(state, Step::Category, p);
        Ok(())
    }

    async fn services(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (services, _) = self.catalogue().await?;
        let rows = services
            .iter()
            .filter(|s| {
                state
                    .category
                    .as_ref()
                    .is_none_or(|c| s.category.clone().unwrap_or_default() == *c)
            })
            .map(|s| {
                let title = match &s.icon {
                    Some(i) => format!("{i} {}", s.name),
                    None => s.name.clone(),
                };
                let price = crate::crm::deals::money::format(s.price_minor, &s.currency);
                Row {
                    offer: Offer::new(format!("svc:{}", s.id), title),
                    description: Some(format!("{} min · {price}", s.duration_minutes)),
                }
            })
            .collect();
        let w = self.words();
        let p = list(w.choose_service, w.services, w.services, rows);
        self.ask(state, Step::Service, p);
        Ok(())
    }

    /// The service chosen and the resources giving it, with what they hold
    /// from `from` to `to`.
    async fn held(
        &mut self,
        state: &State,
        from: Timestamp,
        to: Timestamp,
    ) -> anyhow::Result<Option<(Service, Vec<Resource>, Vec<Held>)>> {
        let Some(id) = state.service else {
            return Ok(None);
        };
        let (services, resources) = self.catalogue().await?;
        let Some(service) = services.into_iter().find(|s| s.id == id) else {
            return Ok(None);
        };
        let givers: Vec<Resource> = availability::givers(&service, &resources)
            .into_iter()
            .cloned()
            .collect();
        let ids: Vec<_> = givers.iter().map(|r| r.id).collect();
        let held = self
            .tx
            .taken_between(&ids, from, to)
            .await?
            .iter()
            .filter(|b| Some(b.id) != state.booking)
            .map(Held::from)
            .collect();
        Ok(Some((service, givers, held)))
    }

    /// The free slots of the chosen service on `date`.
    async fn slots(&mut self, state: &State, date: Date) -> anyhow::Result<Vec<Slot>> {
        let (from, to) = availability::day_bounds(self.settings, date);
        let Some((service, givers, held)) = self.held(state, from, to.plus_seconds(86_400)).await?
        else {
            return Ok(Vec::new());
        };
        let givers: Vec<&Resource> = givers.iter().collect();
        Ok(availability::slots_on(
            self.settings,
            &service,
            &givers,
            &held,
            date,
            self.now,
        ))
    }

    async fn days(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (first, last) = availability::window(self.settings, self.now);
        let from = availability::day_bounds(self.settings, first).0;
        let to = availability::day_bounds(self.settings, last)
            .1
            .plus_seconds(86_400);
        let Some((service, givers, held)) = self.held(state, from, to).await? else {
            self.start_booking(state).await?;
            return Ok(());
        };
        let givers: Vec<&Resource> = givers.iter().collect();
        let lang = self.settings.language;
        let mut rows = Vec::new();
        let mut day = first;
        while day <= last && rows.len() < prompts::MAX_ROWS {
            let slots =
                availability::slots_on(self.settings, &service, &givers, &held, day, self.now);
            if let Some(first_slot) = slots.first() {
                rows.push(Row {
                    offer: Offer::new(format!("day:{day}"), lang.day(day)),
                    description: Some(format!("{}–", first_slot.time)),
                });
            }
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        let w = self.words();
        if rows.is_empty() {
            self.say(w.no_days.to_owned());
            *state = State::default();
            self.menu(state);
            return Ok(());
        }
        let p = list(w.choose_day, w.days, w.days, rows);
        self.ask(state, Step::Day, p);
        Ok(())
    }

    async fn times(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(date) = state
            .date
            .as_deref()
            .and_then(|d| Date::strptime("%Y-%m-%d", d).ok())
        else {
            return self.days(state).await;
        };
        let slots = self.slots(state, date).await?;
        if slots.is_empty() {
            return self.days(state).await;
        }
        let from = state.from.min(slots.len().saturating_sub(1));
        let mut rows: Vec<Row> = slots
            .iter()
            .skip(from)
            .map(|s| Row {
                offer: Offer::new(format!("time:{}", s.starts_at.as_millis()), s.time.clone()),
                description: None,
            })
            .collect();
        if rows.len() > prompts::MAX_ROWS {
            rows.truncate(prompts::MAX_ROWS - 1);
            rows.push(Row {
                offer: Offer::new(format!("more:{}", from + prompts::MAX_ROWS - 1), "…"),
                description: None,
            });
        }
        let w = self.words();
        let body = fill(w.choose_time, &[("day", &self.settings.language.day(date))]);
        let p = list(&body, w.times, w.times, rows);
        self.ask(state, Step::Time, p);
        Ok(())
    }

    async fn named(&mut self, state: &mut State, t: &str) -> anyhow::Result<Outcome> {
        match domain::values::display_name(t, 100) {
            Ok(name) => {
                state.name = Some(name);
                state.misses = 0;
                self.review(state).await?;
            }
            Err(_) => {
                state.misses += 1;
                if state.misses >= MAX_MISSES {
                    return Ok(Outcome::HandOff("unsure"));
                }
                self.ask_name(state);
            }
        }
        Ok(Outcome::Continue)
    }

    async fn review(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(service), Some(at)) = (state.service, state.starts_at) else {
            return self.days(state).await;
        };
        let (services, _) = self.catalogue().await?;
        let Some(service) = services.into_iter().find(|s| s.id == service) else {
            return self.start_booking(state).await;
        };
        let w = self.words();
        let when = self.settings.language.when(self.settings.hours.wall(at));
        let price = crate::crm::deals::money::format(service.price_minor, &service.currency);
        let name = state.name.clone().unwrap_or_default();
        let body = fill(
            w.review,
            &[
                ("service", &service.name),
                ("when", &when),
                ("price", &price),
                ("name", &name),
            ],
        );
        let p = buttons(
            &body,
            vec![
                Offer::new("confirm", w.confirm),
                Offer::new("change", w.change),
                Offer::new("cancel", w.cancel),
            ],
        );
        self.ask(state, Step::Confirm, p);
        Ok(())
    }

    async fn book(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(service), Some(starts_at)) = (state.service, state.starts_at) else {
            return self.days(state).await;
        };
        let input = NewBooking {
            service_id: service,
            resource_id: None,
            contact_id: self.contact.id,
            channel_id: Some(self.conversation.channel_id),
            starts_at,
            customer_name: state.name.clone(),
            payment_method: None,
            notes: None,
            status: BookingStatus::Confirmed,
        };
        let point = self.tx.savepoint().await?;
        let made =
            bookings::book_in(self.tx, self.ctx, self.settings, input, Via::Bot, self.now).await;
        let b = match made {
            Ok(b) => {
                self.tx.keep(point).await?;
                b
            }
            Err(e @ (AppError::Conflict(..) | AppError::Validation(_))) => {
                self.tx.undo(point).await?;
                tracing::info!(error = %e, "a slot the bot offered is gone");
                self.say(self.words().slot_gone.to_owned());
                return self.times(state).await;
            }
            Err(e) => return Err(anyhow::anyhow!("{e:#}")),
        };
        let w = self.words();
        let when = self
            .settings
            .language
            .when(self.settings.hours.wall(b.starts_at));
        let mut lines = vec![
            fill(
                w.confirmed,
                &[("service", &b.service_name), ("when", &when)],
            ),
            fill(w.reference, &[("reference", &b.reference)]),
        ];
        let pay = &self.settings.payment;
        if pay.on_site {
            lines.push(w.pay_on_site.to_owned());
        }
        if let Some(details) = &pay.bank_transfer {
            lines.push(fill(
                w.pay_bank,
                &[("reference", &b.reference), ("details", details)],
            ));
        }
        if let Some(link) = &pay.payment_link {
            lines.push(fill(w.pay_link, &[("link", link)]));
        }
        self.say(lines.join("\n"));
        *state = State::default();
        Ok(())
    }

    async fn my_bookings(&mut self, state: &mut State) -> anyhow::Result<()> {
        let filter = BookingFilter {
            from: Some(self.now),
            contact: Some(self.contact.id),
            ..BookingFilter::default()
        };
        let found = self
            .tx
            .list_bookings(&filter, PageRequest::new(None, prompts::MAX_ROWS as u32))
            .await?;
        let lang = self.settings.language;
        let rows: Vec<Row> = found
            .items
            .iter()
            .filter(|b| b.status.holds_time())
            .map(|b| Row {
                offer: Offer::new(format!("bk:{}", b.id), b.service_name.clone()),
                description: Some(format!(
                    "{} · {}",
                    lang.when(self.settings.hours.wall(b.starts_at)),
                    b.reference
                )),
            })
            .collect();
        let w = self.words();
        if rows.is_empty() {
            self.say(w.none_booked.to_owned());
            *state = State::default();
            self.menu(state);
            return Ok(());
        }
        let p = list(w.your_bookings, w.my_bookings, w.my_bookings, rows);
        self.ask(state, Step::Bookings, p);
        Ok(())
    }

    async fn manage(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(id) = state.booking else {
            return self.my_bookings(state).await;
        };
        let b = self.tx.find_booking(id).await?;
        if b.contact_id != self.contact.id || !b.status.holds_time() {
            return self.my_bookings(state).await;
        }
        let w = self.words();
        let when = self
            .settings
            .language
            .when(self.settings.hours.wall(b.starts_at));
        let body = fill(
            w.what_to_do,
            &[
                ("service", &b.service_name),
                ("when", &when),
                ("reference", &b.reference),
            ],
        );
        let p = buttons(
            &body,
            vec![
                Offer::new("resched", w.reschedule),
                Offer::new("drop", w.cancel),
                Offer::new("keep", w.keep),
            ],
        );
        self.ask(state, Step::Manage, p);
        Ok(())
    }

    async fn cancel_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        let Some(id) = state.booking else {
            return self.my_bookings(state).await;
        };
        let b = self.tx.find_booking(id).await?;
        if b.contact_id != self.contact.id {
            return self.my_bookings(state).await;
        }
        let point = self.tx.savepoint().await?;
        let done = bookings::set_status_in(
            self.tx,
            self.ctx,
            id,
            BookingStatus::Cancelled,
            None,
            Via::Bot,
            self.now,
        )
        .await;
        match done {
            Ok(b) => {
                self.tx.keep(point).await?;
                self.say(fill(self.words().cancelled, &[("reference", &b.reference)]));
                *state = State::default();
                Ok(())
            }
            Err(AppError::Conflict(..)) => {
                self.tx.undo(point).await?;
                self.my_bookings(state).await
            }
            Err(e) => Err(anyhow::anyhow!("{e:#}")),
        }
    }

    async fn move_booking(&mut self, state: &mut State) -> anyhow::Result<()> {
        let (Some(id), Some(at)) = (state.booking, state.starts_at) else {
            return self.my_bookings(state).await;
        };
        let point = self.tx.savepoint().await?;
        let to = bookings::Move {
            starts_at: at,
            resource: None,
        };
        let moved =
            bookings::reschedule_in(self.tx, self.ctx, self.settings, id, to, Via::Bot, self.now)
                .await;
        match moved {
            Ok(b) => {
                self.tx.keep(point).await?;
                let when = self
                    .settings
                    .language
                    .when(self.settings.hours.wall(b.starts_at));
                self.say(fill(
                    self.words().rescheduled,
                    &[("service", &b.service_name), ("when", &when)],
                ));
                *state = State::default();
                Ok(())
            }
            Err(AppError::Conflict(..) | AppError::Validation(_)) => {
                self.tx.undo(point).await?;
                self.say(self.words().slot_gone.to_owned());
                self.times(state).await
            }
            Err(e) => Err(anyhow::anyhow!("{e:#}")),
        }
    }
}
