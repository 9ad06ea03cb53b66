use super::*;

fn days(n: usize) -> Vec<String> {
    (1..=n).map(|d| format!("Dec {d}")).collect()
}

fn series<'a>(name: &'a str, values: &'a [i64], class: &'a str) -> Series<'a> {
    Series {
        name,
        values,
        class,
    }
}

/// The numeric values of attribute `attr` on every element whose opening
/// tag starts with `start` (e.g. `<rect class="bar`).
fn attrs(svg: &str, start: &str, attr: &str) -> Vec<f64> {
    svg.split(start)
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            let key = format!(" {attr}=\"");
            let from = tag.find(&key).unwrap() + key.len();
            let len = tag[from..].find('"').unwrap();
            tag[from..from + len].parse().unwrap()
        })
        .collect()
}

/// The text of every `<text class="{class}"…>` element.
fn texts(svg: &str, class: &str) -> Vec<String> {
    svg.split(&format!("<text class=\"{class}\""))
        .skip(1)
        .map(|rest| {
            let from = rest.find('>').unwrap() + 1;
            rest[from..from + rest[from..].find('<').unwrap()].to_owned()
        })
        .collect()
}

/// Checks the output is one well-formed `<svg>` element: tags balance,
/// every `&` starts an entity, and no number came out as NaN or infinity.
fn assert_valid(svg: &str) {
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.ends_with("</svg>"), "{svg}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    for (i, _) in svg.match_indices('&') {
        let entity = &svg[i..svg[i..].find(';').map_or(svg.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
            "bare & at {i}: {svg}"
        );
    }
    let mut open = Vec::new();
    for chunk in svg.split('<').skip(1) {
        let tag = &chunk[..chunk.find('>').expect("unclosed tag")];
        let name = tag.split([' ', '/']).find(|s| !s.is_empty()).unwrap_or("");
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(closing), "{svg}");
        } else if !tag.ends_with('/') {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}: {svg}");
    // Every number in an attribute has at most one decimal.
    for value in svg.split("=\"").skip(1).filter_map(|v| v.split('"').next()) {
        for number in value.split([' ', ',']) {
            if number.parse::<f64>().is_ok() {
                let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
                assert!(decimals <= 1, "{number} in {svg}");
            }
        }
    }
}

#[test]
fn escapes_titles_labels_and_series_names() {
    let labels = vec!["<b>&\"x\"".to_owned()];
    let values = [3];
    let s = [series("In & <out>", &values, "series-in")];
    for svg in [
        bars("Tom & \"Jerry\" <3>", &labels, &s),
        lines("Tom & \"Jerry\" <3>", &labels, &s),
    ] {
        assert_valid(&svg);
        assert!(
            svg.contains("Tom &amp; &quot;Jerry&quot; &lt;3&gt;"),
            "{svg}"
        );
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;"), "{svg}");
        assert!(svg.contains("In &amp; &lt;out&gt;"), "{svg}");
        assert!(!svg.contains("<b>") && !svg.contains("<out>"), "{svg}");
    }
    let heat = heatmap("A<B", &["M&", "T", "W", "T", "F", "S", "S"], &[[1; 24]; 7]);
    assert_valid(&heat);
    assert!(
        heat.contains("A&lt;B") && heat.contains(">M&amp;<"),
        "{heat}"
    );
}

#[test]
fn draws_one_bar_per_label_and_series_with_its_exact_value() {
    let labels = days(3);
    let (inbound, outbound) = ([4, 5, 0], [1, 2, 3]);
    let s = [
        series("Messages in", &inbound, "series-in"),
        series("Messages out", &outbound, "series-out"),
    ];
    let svg = bars("Messages", &labels, &s);
    assert_valid(&svg);
    assert_eq!(svg.matches("<rect class=\"bar").count(), 6);
    assert_eq!(svg.matches("<rect class=\"bar series-in\"").count(), 3);
    assert!(
        svg.contains("<title>Dec 2 · Messages in: 5</title>"),
        "{svg}"
    );
    assert!(
        svg.contains("<title>Dec 3 · Messages out: 3</title>"),
        "{svg}"
    );
    assert!(
        svg.contains("Messages in: 9 in total, most on Dec 2 (5)."),
        "{svg}"
    );
    assert!(svg.contains("class=\"swatch series-out\""), "{svg}");
    let swatches = attrs(&svg, "<rect class=\"swatch", "x");
    assert!(swatches[1] - swatches[0] > 11.0 * CHAR_W, "legend overlaps");
    let ties = [2, 5, 5];
    let tied = bars("Ties", &labels, &[series("In", &ties, "series-in")]);
    assert!(
        tied.contains("most on Dec 2 (5)."),
        "the first peak: {tied}"
    );
    assert!(svg.contains(r#"role="img""#) && svg.contains(r#"width="100%""#));
    assert!(svg.contains("<title id=\"") && svg.contains("<desc id=\""));
}

#[test]
fn the_tallest_bar_has_the_largest_value() {
    let labels = days(5);
    let values = [3, 9, 1, 0, 7];
    let svg = bars("Messages", &labels, &[series("In", &values, "series-in")]);
    let heights = attrs(&svg, "<rect class=\"bar", "height");
    let tallest = heights.iter().cloned().fold(f64::MIN, f64::max);
    assert_eq!(heights.iter().position(|&h| h == tallest), Some(1));
    assert_eq!(heights[3], 0.0);
    assert!(
        heights[4] > heights[0] && heights[0] > heights[2],
        "{heights:?}"
    );
}

#[test]
fn all_zero_and_empty_inputs_still_render() {
    let zeros = [0, 0, 0];
    let labels = days(3);
    let zero = [series("In", &zeros, "series-in")];
    for svg in [
        bars("Zero", &labels, &zero),
        lines("Zero", &labels, &zero),
        bars("Empty", &[], &[]),
        lines("Empty", &[], &[]),
        bars("No series", &labels, &[]),
        bars("No labels", &[], &zero),
        heatmap("Zero", &["M", "T", "W", "T", "F", "S", "S"], &[[0; 24]; 7]),
    ] {
        assert_valid(&svg);
    }
    assert!(bars("Zero", &labels, &zero).contains("In: none."));
    assert!(bars("Empty", &[], &[]).contains("No data."));
    assert_eq!(
        bars("Empty", &[], &[]).matches("<rect class=\"bar").count(),
        0
    );
}

#[test]
fn short_long_negative_and_huge_values_do_not_break_the_chart() {
    let labels = days(4);
    let short = [5];
    let long = [1, 2, 3, 4, 999];
    let odd = [i64::MAX, -7, i64::MIN, i64::MAX];
    let s = [
        series("Short", &short, "a"),
        series("Long", &long, "b"),
        series("Odd", &odd, "c"),
    ];
    for svg in [bars("Mixed", &labels, &s), lines("Mixed", &labels, &s)] {
        assert_valid(&svg);
        assert!(svg.contains("Dec 2 · Short: 0<"), "missing counts as 0");
        assert!(!svg.contains(": 999<"), "extra values are ignored");
        assert!(svg.contains("Dec 2 · Odd: 0<") && svg.contains("Dec 3 · Odd: 0<"));
        assert!(svg.contains("Dec 1 · Odd: 9223372036854775807<"), "{svg}");
        assert!(svg.contains("Odd: 18446744073709551614 in total"), "{svg}");
    }
    let svg = bars("Mixed", &labels, &s);
    assert_eq!(svg.matches("<rect class=\"bar").count(), 12);
    let heights = attrs(&svg, "<rect class=\"bar", "height");
    assert!(
        heights.iter().all(|h| (0.0..=HEIGHT).contains(h)),
        "{heights:?}"
    );
}

#[test]
fn ticks_are_round_steps_from_zero() {
    assert_eq!(nice_ticks(0), vec![0, 1, 2]);
    assert_eq!(nice_ticks(-5), vec![0, 1, 2]);
    assert_eq!(nice_ticks(1), vec![0, 1, 2]);
    assert_eq!(nice_ticks(7), vec![0, 2, 4, 6, 8]);
    assert_eq!(nice_ticks(10), vec![0, 5, 10]);
    assert_eq!(nice_ticks(95), vec![0, 50, 100]);
    assert_eq!(nice_ticks(1234), vec![0, 500, 1000, 1500]);
    for max in [0, 1, 3, 9, 11, 49, 51, 999, 123_456, i64::MAX] {
        let ticks = nice_ticks(max);
        assert!((3..=5).contains(&ticks.len()), "{max}: {ticks:?}");
        assert!(
            *ticks.last().unwrap() >= i128::from(max),
            "{max}: {ticks:?}"
        );
    }
    assert_eq!(short(1500), "1.5k");
    assert_eq!(short(20_000_000), "20M");
    assert_eq!(short(500), "500");
}

#[test]
fn heatmap_has_a_cell_per_hour_shaded_by_quarter_of_the_max() {
    let mut cells = [[0; 24]; 7];
    cells[2][14] = 40;
    cells[0][9] = 10;
    cells[0][10] = 21;
    cells[6][23] = -3;
    let svg = heatmap(
        "Busy",
        &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        &cells,
    );
    assert_valid(&svg);
    assert_eq!(svg.matches("<rect class=\"heat heat-").count(), 168);
    assert_eq!(svg.matches("class=\"heat heat-4\"").count(), 1);
    assert_eq!(svg.matches("class=\"heat heat-0\"").count(), 165);
    let hottest = svg.split("class=\"heat heat-4\"").nth(1).unwrap();
    assert!(hottest[..hottest.find("</rect>").unwrap()].contains("Wed 14:00 · 40<"));
    assert!(
        svg.contains("heat-1\"") && svg.contains("heat-3\""),
        "10 and 21 of 40"
    );
    assert!(svg.contains("Sun 23:00 · 0<"), "negative counts as 0");
    assert!(
        svg.contains("71 in total, busiest Wed 14:00 (40)."),
        "{svg}"
    );
    assert_eq!(
        texts(&svg, "y-label"),
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    );
    let (mut tie, days) = ([[0; 24]; 7], ["M", "Tu", "W", "Th", "F", "Sa", "Su"]);
    (tie[1][5], tie[3][2]) = (7, 7);
    assert!(heatmap("Tie", &days, &tie).contains("busiest Tu 05:00 (7)."));
    assert_eq!(heat_level(40, 40), 4);
    assert_eq!(heat_level(0, 40), 0);
    assert_eq!(heat_level(1, i64::MAX), 1);
}

#[test]
fn many_labels_are_thinned_but_every_bar_is_drawn() {
    let labels = days(31);
    let (a, b): (Vec<i64>, Vec<i64>) = (0..31).map(|i| (i, 31 - i)).unzip();
    let s = [
        series("In", &a, "series-in"),
        series("Out", &b, "series-out"),
    ];
    let svg = bars("Month", &labels, &s);
    assert_valid(&svg);
    let shown = texts(&svg, "x-label");
    assert!((2..=14).contains(&shown.len()), "{shown:?}");
    assert_eq!(shown[0], "Dec 1");
    assert_eq!(svg.matches("<rect class=\"bar series-in\"").count(), 31);
    assert_eq!(svg.matches("<rect class=\"bar series-out\"").count(), 31);
    // Shown labels sit far enough apart not to overlap.
    let xs = attrs(&svg, "<text class=\"x-label\"", "x");
    assert!(xs.windows(2).all(|w| w[1] - w[0] >= 6.0 * CHAR_W), "{xs:?}");
    // Long labels are thinned further, by their width.
    let long: Vec<String> = (1..=10).map(|d| format!("December {d:02}")).collect();
    let xs = attrs(&bars("Long", &long, &s), "<text class=\"x-label\"", "x");
    assert!(xs.len() < 10, "{xs:?}");
    assert!(
        xs.windows(2).all(|w| w[1] - w[0] >= 11.0 * CHAR_W),
        "{xs:?}"
    );
    // A week keeps every label.
    assert_eq!(texts(&bars("Week", &days(7), &s), "x-label").len(), 7);
}

#[test]
fn lines_draw_a_polyline_per_series_with_a_point_per_label() {
    let labels = days(4);
    let (a, b) = ([1, 2, 3, 4], [4, 3, 2, 1]);
    let s = [
        series("In", &a, "series-in"),
        series("Out", &b, "series-out"),
    ];
    let svg = lines("Trend", &labels, &s);
    assert_valid(&svg);
    assert_eq!(svg.matches("<polyline class=\"line").count(), 2);
    assert_eq!(svg.matches("<circle class=\"point series-out\"").count(), 4);
    let ys = attrs(&svg, "<circle class=\"point series-in\"", "cy");
    assert!(
        ys.windows(2).all(|w| w[1] < w[0]),
        "rising values go up: {ys:?}"
    );
    assert!(svg.contains("<title>Dec 4 · In: 4</title>"), "{svg}");
}

#[test]
fn output_is_deterministic_and_ids_differ_between_charts() {
    let labels = days(3);
    let values = [1, 2, 3];
    let s = [series("In", &values, "series-in")];
    assert_eq!(bars("A", &labels, &s), bars("A", &labels, &s));
    let id = |svg: &str| {
        let rest = svg.split("<title id=\"").nth(1).unwrap();
        rest[..rest.find('"').unwrap()].to_owned()
    };
    assert_ne!(id(&bars("A", &labels, &s)), id(&bars("B", &labels, &s)));
    assert_ne!(id(&bars("A", &labels, &s)), id(&lines("A", &labels, &s)));
}

#[test]
fn numbers_keep_at_most_one_decimal() {
    assert_eq!(num(1.24), "1.2");
    assert_eq!(num(1.26), "1.3");
    assert_eq!(num(3.0), "3");
    assert_eq!(num(-0.01), "0");
    assert_eq!(num(f64::NAN), "0");
    assert_eq!(num(2.96), "3");
}
