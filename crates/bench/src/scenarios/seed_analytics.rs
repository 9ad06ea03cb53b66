//! Bulk seeding for the analytics scenario: a year of a busy workspace's
//! history per tenant, written with SQL that generates the rows in the
//! database (ten million messages one by one through the worker would take
//! hours).
//!
//! Each tenant gets `episodes` conversation episodes spread over the 365
//! days before today (UTC, the tenants' zone), mostly in business hours.
//! An episode is ten messages: the customer writes (one in ten episodes
//! answers a campaign's template instead), a person answers after 30 s to
//! four hours (the bot first in one in ten), then turns every one to ten
//! minutes; one in seven ends with an automation's template. Inbound
//! messages are mostly text, some images and voice notes; outbound ones
//! reach sent, delivered or read, 3 % fail. Episodes of a conversation
//! (one contact on one of the tenant's two numbers, assigned to one of
//! five agents) are about a month apart, and are resolved within an hour
//! of their last message (the latest of some stay open).
//!
//! Alongside: the contacts, conversations, agents, a campaign a month,
//! four workflows with a run for every other episode, three booking
//! services with a booking for one episode in twenty, and the
//! conversations response times are measured on (`analytics_conversations`,
//! which the consumer keeps as history and a rebuild does not recount).
//! No events: the counts are rebuilt from the stored rows afterwards.

mod sql;

use crate::seed::SeedTenant;
use crate::seed_bulk::TOPICS;
use anyhow::Context as _;
use sql::{Arg, Conn, det};
use sqlx::Connection as _;
use uuid::Uuid;

pub const MESSAGES_PER_EPISODE: usize = 10;
const DAY_MS: i64 = 86_400_000;
const DAYS: i64 = 365;
const AGENTS: i64 = 5;
const CAMPAIGN_TEMPLATES: [&str; 3] = ["spring_sale", "order_update", "loyalty_points"];
const WORKFLOWS: [&str; 4] = ["Welcome", "Order status", "Feedback", "Out of hours"];
const SERVICES: [&str; 3] = ["Haircut", "Colour", "Beard trim"];
/// Episodes per messages statement (ten rows each).
const CHUNK: usize = 2_000;

/// On PostgreSQL, what autovacuum does soon after a bulk load: the
/// planner's statistics and the visibility map (index-only scans) of the
/// tables the reports read, now that the rebuild has filled the counts.
pub async fn settle(database_url: &str) -> anyhow::Result<()> {
    if let Conn::Postgres(mut c) = Conn::open(database_url).await? {
        sqlx::query("VACUUM (ANALYZE) analytics_counts, analytics_conversations")
            .execute(&mut c)
            .await?;
        c.close().await?;
    }
    Ok(())
}

/// Seeds every tenant (one transaction each) and answers the messages
/// stored. `now_ms` is the present: the year ends the day before it.
pub async fn seed(
    database_url: &str,
    tenants: &[SeedTenant],
    episodes: usize,
    now_ms: i64,
) -> anyhow::Result<u64> {
    let mut db = Conn::open(database_url).await?;
    db.run(
        "CREATE TEMP TABLE bench_ep (e BIGINT PRIMARY KEY, c BIGINT NOT NULL, \
         shift BIGINT NOT NULL, camp BIGINT NOT NULL, h BIGINT NOT NULL, start_ms BIGINT NOT NULL, \
         lead BIGINT NOT NULL, r BIGINT NOT NULL, gap BIGINT NOT NULL, bot BIGINT NOT NULL, \
         end_ms BIGINT, last_in BIGINT, responded BIGINT, resolved BIGINT)",
        &[],
    )
    .await?;
    let mut stored = 0;
    for (t, tenant) in tenants.iter().enumerate() {
        stored += one_tenant(&mut db, t, tenant, episodes, now_ms)
            .await
            .with_context(|| format!("seeding tenant {t}"))?;
    }
    db.run("DROP TABLE bench_ep", &[]).await?;
    if let Conn::Postgres(c) = &mut db {
        // The planner's statistics, as autovacuum gathers them soon after
        // a bulk load in a running deployment.
        sqlx::query("ANALYZE").execute(&mut *c).await?;
    }
    match db {
        Conn::Sqlite(c) => c.close().await?,
        Conn::Postgres(c) => c.close().await?,
    }
    Ok(stored)
}

async fn one_tenant(
    db: &mut Conn,
    t: usize,
    tenant: &SeedTenant,
    episodes: usize,
    now_ms: i64,
) -> anyhow::Result<u64> {
    let conversations = (episodes / 8).max(1);
    let today = now_ms - now_ms.rem_euclid(DAY_MS);
    let first_day = today - DAYS * DAY_MS;
    let channels: Vec<Uuid> = tenant
        .numbers
        .iter()
        .map(|n| n.channel_id.as_uuid())
        .collect();
    let (Some(ch0), Some(ch1)) = (channels.first(), channels.last()) else {
        anyhow::bail!("a tenant without numbers");
    };
    let a = |name: &'static str, v: Arg| (name, v);
    let base = vec![
        a("tenant", Arg::U(tenant.id.as_uuid())),
        a("t", Arg::I(t as i64)),
        a("episodes", Arg::I(episodes as i64)),
        a("conversations", Arg::I(conversations as i64)),
        a("first_day", Arg::I(first_day)),
        // Every episode (its resolution included) ends before now.
        a("latest", Arg::I(now_ms - 7 * 3_600_000)),
        a("now", Arg::I(now_ms)),
        a("ch0", Arg::U(*ch0)),
        a("ch1", Arg::U(*ch1)),
    ];
    db.run(if db.pg() { "BEGIN" } else { "BEGIN IMMEDIATE" }, &[])
        .await?;
    if db.pg() {
        db.run(
            "SELECT set_config('app.scope', 'tenant', true), set_config('app.tenant_id', :tid, true)",
            &[a("tid", Arg::S(tenant.id.to_string()))],
        )
        .await?;
    }
    db.run("DELETE FROM bench_ep", &[]).await?;
    let start = db.least(
        ":first_day + (e * 365 / :episodes) * 86400000 + CASE WHEN h1 % 10 < 8 \
         THEN 28800 + (h1 / 10) % 43200 ELSE (h1 / 10) % 86400 END * 1000",
        ":latest",
    );
    let fill = format!(
        "{series} INSERT INTO bench_ep (e, c, shift, camp, h, start_ms, lead, r, gap, bot) \
         SELECT e, e % :conversations, CASE WHEN e % 10 = 3 THEN 1 ELSE 0 END, \
           (e * 365 / :episodes) / 31, h1, {start}, (600 + h2 % 7200) * 1000, \
           CASE WHEN h2 % 10 < 7 THEN 30 + h2 % 870 WHEN h2 % 10 < 9 THEN 900 + h2 % 2700 \
                ELSE 3600 + h2 % 10800 END * 1000, \
           (60 + h3 % 540) * 1000, CASE WHEN h3 % 10 = 0 THEN 1 ELSE 0 END \
         FROM (SELECT e, (e * 2654435761 + :t * 97) % 1000003 AS h1, \
                      (e * 40503 + :t * 7919 + 12345) % 999983 AS h2, \
                      (e * 69069 + :t * 31 + 777) % 1000033 AS h3 FROM s) x",
        series = db.series(),
    );
    db.run(&fill, &base).await?;
    db.run(
        "UPDATE bench_ep SET end_ms = start_ms + r + (8 - shift) * gap",
        &[],
    )
    .await?;
    db.run(
        "UPDATE bench_ep SET last_in = end_ms - (1 - shift) * gap, \
         responded = start_ms + r + bot * 2 * gap, \
         resolved = CASE WHEN e + :conversations >= :episodes AND h % 4 = 0 THEN NULL \
                         ELSE end_ms + (300 + h % 3300) * 1000 END",
        &base,
    )
    .await?;
    people_and_things(db, t, &base, episodes, first_day, *ch0).await?;
    let mut stored = 0;
    let sql = messages_sql(db);
    for lo in (0..episodes).step_by(CHUNK) {
        let mut args = base.clone();
        args.push(a("lo", Arg::I(lo as i64)));
        args.push(a("hi", Arg::I((lo + CHUNK) as i64)));
        stored += db.run(&sql, &args).await?;
    }
    history(db, &base).await?;
    db.run("COMMIT", &[]).await?;
    Ok(stored)
}

/// Agents, campaigns, workflows, booking services and a chair; contacts
/// and conversations.
async fn people_and_things(
    db: &mut Conn,
    t: usize,
    base: &[(&'static str, Arg)],
    episodes: usize,
    first_day: i64,
    ch0: Uuid,
) -> anyhow::Result<()> {
    let with = |extra: Vec<(&'static str, Arg)>| {
        let mut v = base.to_vec();
        v.extend(extra);
        v
    };
    for k in 0..AGENTS as usize {
        db.run(
            "INSERT INTO users (tenant_id, id, email, name, role, password_hash, created_at, updated_at) \
             VALUES (:tenant, :id, :email, :name, 'agent', '!', :first_day, :first_day)",
            &with(vec![
                ("id", Arg::U(det(t, "a9e0", k)?)),
                ("email", Arg::S(format!("agent{k}@bench-{t:05}.example.com"))),
                ("name", Arg::S(format!("Agent {k}"))),
            ]),
        )
        .await?;
    }
    for k in 0..12 {
        let at = first_day + k as i64 * 31 * DAY_MS;
        db.run(
            "INSERT INTO campaigns (tenant_id, id, name, channel_id, template_id, template_name, \
               template_language, variables, audience, status, started_at, finished_at, \
               recipient_count, dispatch_round, created_at, updated_at) \
             VALUES (:tenant, :id, :name, :channel, :template_id, :template, 'en', '[]', '{}', \
               'finished', :at, :at, :recipients, 1, :at, :at)",
            &with(vec![
                ("id", Arg::U(det(t, "cafe", k)?)),
                ("name", Arg::S(format!("Monthly offer {}", k + 1))),
                ("channel", Arg::U(ch0)),
                ("template_id", Arg::U(det(t, "7e3a", k)?)),
                ("template", Arg::S(CAMPAIGN_TEMPLATES[k % 3].into())),
                ("at", Arg::I(at)),
                ("recipients", Arg::I((episodes / 120) as i64)),
            ]),
        )
        .await?;
    }
    for (k, name) in WORKFLOWS.iter().enumerate() {
        db.run(
            "INSERT INTO workflows (tenant_id, id, name, description, enabled, version, trigger_type, \
               created_at, updated_at) \
             VALUES (:tenant, :id, :name, '', 1, 1, 'message_received', :first_day, :first_day)",
            &with(vec![
                ("id", Arg::U(det(t, "f10f", k)?)),
                ("name", Arg::S((*name).into())),
            ]),
        )
        .await?;
    }
    for (k, name) in SERVICES.iter().enumerate() {
        db.run(
            "INSERT INTO booking_services (tenant_id, id, name, price_minor, currency, \
               duration_minutes, active, position, created_at, updated_at) \
             VALUES (:tenant, :id, :name, 2500, 'EUR', 30, 1, :position, :first_day, :first_day)",
            &with(vec![
                ("id", Arg::U(det(t, "5e7c", k)?)),
                ("name", Arg::S((*name).into())),
                ("position", Arg::I(k as i64)),
            ]),
        )
        .await?;
    }
    db.run(
        "INSERT INTO booking_resources (tenant_id, id, name, kind, capacity, active, created_at, \
           updated_at) VALUES (:tenant, :id, 'Chair', 'staff', 10, 1, :first_day, :first_day)",
        &with(vec![("id", Arg::U(det(t, "7e50", 0)?))]),
    )
    .await?;
    let (contact, conv, agent) = (
        db.det_id("c0a7", "c"),
        db.det_id("c0c0", "c"),
        db.det_id("a9e0", "c % 5"),
    );
    db.run(
        &format!(
            "INSERT INTO contacts (tenant_id, id, wa_id, profile_name, phone, created_at, updated_at, \
               last_inbound_at, last_outbound_at) \
             SELECT :tenant, {contact}, '49' || (:t * 1000000 + c), 'Customer ' || c, \
               '+49' || (:t * 1000000 + c), MIN(start_ms - shift * lead), MAX(end_ms), \
               MAX(last_in), MAX(end_ms - shift * gap) FROM bench_ep GROUP BY c"
        ),
        base,
    )
    .await?;
    db.run(
        &format!(
            "INSERT INTO conversations (tenant_id, id, contact_id, channel_id, status, unread_count, \
               assigned_user_id, last_message_at, last_inbound_at, window_closes_at, created_at, \
               updated_at) \
             SELECT :tenant, {conv}, {contact}, CASE WHEN c % 2 = 0 THEN :ch0 ELSE :ch1 END, \
               CASE WHEN MAX(CASE WHEN resolved IS NULL THEN 1 ELSE 0 END) = 1 THEN 'open' \
                    ELSE 'resolved' END, 0, {agent}, MAX(end_ms), MAX(last_in), \
               MAX(last_in) + 86400000, MIN(start_ms - shift * lead), MAX(end_ms) \
             FROM bench_ep GROUP BY c"
        ),
        base,
    )
    .await?;
    Ok(())
}

/// The insert of episodes `:lo..:hi`'s messages.
fn messages_sql(db: &Conn) -> String {
    let topics: String = TOPICS
        .iter()
        .enumerate()
        .map(|(i, t)| format!(" WHEN {i} THEN '{t}'"))
        .collect();
    let templates: String = CAMPAIGN_TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| format!(" WHEN {i} THEN '{t}'"))
        .collect();
    let id = db.id(&format!(
        "{} || '7' || {} || '8' || {}",
        db.hex("at", 12),
        db.hex(":t", 3),
        db.hex("e * 16 + m", 15)
    ));
    let conv = db.det_id("c0c0", "c");
    let campaign = db.det_text("cafe", "camp");
    let agent = db.det_text("a9e0", "c % 5");
    let head = "'{\"from\":\"49' || (:t * 1000000 + c) || '\",\"id\":\"' || wamid || \
                '\",\"timestamp\":\"' || (at / 1000) || '\",\"type\":\"' || kind || '\",'";
    format!(
        "WITH pos(m) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)), \
         q AS (SELECT b.*, m, m - shift AS p, (h + m * 7919) % 100 AS hm, \
                 (h * 31 + m * 104729) % 100 AS hs, \
                 CASE WHEN m - shift < 0 THEN start_ms - lead WHEN m - shift = 0 THEN start_ms \
                      ELSE start_ms + r + (m - shift - 1) * gap END AS at, \
                 CASE WHEN m - shift < 0 OR (m - shift) % 2 = 1 THEN 1 ELSE 0 END AS outb \
               FROM bench_ep b CROSS JOIN pos WHERE b.e >= :lo AND b.e < :hi), \
         k AS (SELECT q.*, \
                 CASE WHEN p < 0 OR (p = 9 AND e % 7 = 0) THEN 'template' \
                      WHEN outb = 0 AND hm < 8 THEN 'image' WHEN outb = 0 AND hm < 10 THEN 'audio' \
                      WHEN outb = 1 AND hm < 4 THEN 'image' ELSE 'text' END AS kind, \
                 CASE WHEN p < 0 THEN CASE camp % 3{templates} END ELSE 'follow_up' END AS tname, \
                 'wamid.bench.' || :t || '.' || e || '.' || m AS wamid FROM q) \
         INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, wamid, kind, \
           content, status, status_rank, error_code, provider_time, send_attempted_at, created_at, \
           updated_at, sent_by) \
         SELECT :tenant, {id}, {conv}, CASE WHEN c % 2 = 0 THEN :ch0 ELSE :ch1 END, \
           CASE WHEN outb = 1 THEN 'out' ELSE 'in' END, wamid, kind, \
           CASE WHEN kind = 'template' THEN '{{\"type\":\"template\",\"template\":{{\"name\":\"' \
                  || tname || '\",\"language\":{{\"code\":\"en\"}}}}}}' \
                WHEN outb = 1 AND kind = 'image' THEN '{{\"type\":\"image\",\"image\":{{\"link\":\
                  \"https://cdn.example.com/catalogue/' || hm || '.jpg\"}}}}' \
                WHEN outb = 1 THEN '{{\"type\":\"text\",\"text\":{{\"body\":\"Thanks, ' || \
                  CASE hm % 4 WHEN 0 THEN 'let me check that for you' WHEN 1 THEN 'it is ready' \
                  WHEN 2 THEN 'we have that in stock' ELSE 'see you soon' END || '\"}}}}' \
                WHEN kind = 'text' THEN {head} || '\"text\":{{\"body\":\"Message ' || p || \
                  ': a question about ' || CASE (h + m) % 16{topics} END || '\"}}}}' \
                ELSE {head} || '\"' || kind || '\":{{\"id\":\"' || (1000000 + e * 16 + m) || \
                  '\",\"mime_type\":\"' || CASE kind WHEN 'image' THEN 'image/jpeg' \
                  ELSE 'audio/ogg; codecs=opus' END || '\"}}}}' END, \
           CASE WHEN outb = 0 THEN 'received' WHEN hs < 3 THEN 'failed' WHEN hs < 12 THEN 'sent' \
                WHEN hs < 35 THEN 'delivered' ELSE 'read' END, \
           CASE WHEN outb = 0 THEN 0 WHEN hs < 3 THEN 25 WHEN hs < 12 THEN 10 WHEN hs < 35 THEN 20 \
                ELSE 30 END, \
           CASE WHEN outb = 1 AND hs < 3 THEN 131049 END, at, CASE WHEN outb = 1 THEN at END, at, at, \
           CASE WHEN outb = 0 THEN NULL WHEN p < 0 THEN 'campaign:' || {campaign} \
                WHEN kind = 'template' THEN 'automation' WHEN p = 1 AND bot = 1 THEN 'bot' \
                ELSE 'user:' || {agent} END \
         FROM k"
    )
}

/// The episodes as the consumer follows them, the automation runs and the
/// bookings.
async fn history(db: &mut Conn, base: &[(&'static str, Arg)]) -> anyhow::Result<()> {
    let (conv, contact, agent) = (
        db.det_id("c0c0", "c"),
        db.det_id("c0a7", "c"),
        db.det_id("a9e0", "c % 5"),
    );
    db.run(
        &format!(
            "INSERT INTO analytics_conversations (tenant_id, conversation_id, opened_at, channel_id, \
               team_id, assigned_user_id, customer_at, responded_at, responder_user_id, resolved_at) \
             SELECT :tenant, {conv}, start_ms, CASE WHEN c % 2 = 0 THEN :ch0 ELSE :ch1 END, NULL, \
               {agent}, start_ms, responded, {agent}, resolved FROM bench_ep"
        ),
        base,
    )
    .await?;
    let names: String = WORKFLOWS
        .iter()
        .enumerate()
        .map(|(i, n)| format!(" WHEN {i} THEN '{n}'"))
        .collect();
    db.run(
        &format!(
            "INSERT INTO workflow_runs (tenant_id, id, workflow_id, version, workflow_name, status, \
               pc, trigger_event_id, trigger_event, contact_id, conversation_id, depth, error, \
               started_at, updated_at, finished_at) \
             SELECT :tenant, {run}, {workflow}, 1, CASE (e / 2) % 4{names} END, \
               CASE WHEN h % 100 < 5 THEN 'failed' WHEN h % 100 < 8 THEN 'skipped' \
                    ELSE 'completed' END, 0, {event}, 'message.received', {contact}, {conv}, 0, \
               CASE WHEN h % 100 < 5 THEN 'step 2: the number is not on WhatsApp' END, \
               start_ms + 800, start_ms + 2500, start_ms + 2500 FROM bench_ep WHERE e % 2 = 0",
            run = db.det_id("e0e0", "e"),
            workflow = db.det_id("f10f", "(e / 2) % 4"),
            event = db.det_id("e7e7", "e"),
        ),
        base,
    )
    .await?;
    db.run(
        &format!(
            "INSERT INTO bookings (tenant_id, id, reference, service_id, resource_id, contact_id, \
               channel_id, starts_at, ends_at, blocks_until, status, customer_name, payment_method, \
               price_minor, currency, source, created_at, updated_at) \
             SELECT :tenant, {booking}, 'BK-' || e, {service}, {chair}, {contact}, \
               CASE WHEN c % 2 = 0 THEN :ch0 ELSE :ch1 END, st, st + 1800000, st + 1800000, \
               CASE WHEN st > :now THEN CASE WHEN h % 2 = 0 THEN 'confirmed' ELSE 'pending' END \
                    WHEN h % 100 < 72 THEN 'completed' WHEN h % 100 < 84 THEN 'cancelled' \
                    WHEN h % 100 < 93 THEN 'no_show' ELSE 'confirmed' END, \
               'Customer ' || c, 'on_site', 2500, 'EUR', 'bot', start_ms, start_ms \
             FROM (SELECT b.*, (start_ms / 1800000 + 48 + h % 240) * 1800000 AS st \
                   FROM bench_ep b WHERE e % 20 = 5) x",
            booking = db.det_id("b00c", "e"),
            service = db.det_id("5e7c", "e % 3"),
            chair = db.det_id("7e50", "0"),
        ),
        base,
    )
    .await?;
    Ok(())
}
