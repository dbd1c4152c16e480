//! Tests of the bulk input readers on messy, real-looking exports.

use super::*;

fn upns(p: &Parsed) -> Vec<(usize, &str)> {
    p.rows.iter().map(|r| (r.line, r.upn.as_str())).collect()
}

fn lines(v: &[RowProblem]) -> Vec<usize> {
    v.iter().map(|p| p.line).collect()
}

#[test]
fn bom_semicolons_crlf_and_header_synonyms() {
    let text = "\u{feff}User Principal Name;Start_Date;START-TIME;Time Zone;Lifetime in minutes;Is usable once\r\n\
                adele@contoso.com;2025-04-03;09:00;Europe/Berlin;90;yes\r\n\
                \r\n\
                ;;;;;\r\n\
                 alex@contoso.com ; 03.04.2025 ; 8:30 ; ; 2h ; n \r\n";
    let p = parse_csv(text);
    assert_eq!(p.problems, vec![]);
    assert_eq!(
        upns(&p),
        vec![(2, "adele@contoso.com"), (5, "alex@contoso.com")]
    );
    assert_eq!(
        p.rows[0].start,
        Some(LocalStart {
            date: "2025-04-03".into(),
            time: "09:00".into(),
            time_zone: Some("Europe/Berlin".into())
        })
    );
    assert_eq!(
        (p.rows[0].lifetime_minutes, p.rows[0].one_time),
        (Some(90), Some(true))
    );
    assert_eq!(
        p.rows[1].start.as_ref().map(|s| s.time.as_str()),
        Some("08:30")
    );
    assert_eq!(
        p.rows[1].start.as_ref().and_then(|s| s.time_zone.clone()),
        None
    );
    assert_eq!(
        (p.rows[1].lifetime_minutes, p.rows[1].one_time),
        (Some(120), Some(false))
    );
}

#[test]
fn quoted_fields_with_newlines_delimiters_and_quotes_keep_first_line_numbers() {
    let text = "email,note,start\n\
                \"megan@contoso.com\",\"Line one\nline two, with comma; and \"\"quotes\"\"\",2025-05-01 10:00\n\
                lynne@contoso.com,\"x\",\n\
                \"bad, user\",\"\n\n\",2025-05-01T10:00\n\
                joni@contoso.com,plain,2025-05-01T25:00\n";
    let p = parse_csv(text);
    assert_eq!(
        upns(&p),
        vec![(2, "megan@contoso.com"), (4, "lynne@contoso.com")]
    );
    assert_eq!(lines(&p.problems), vec![5, 8]);
    assert!(
        p.problems[0].reason.contains("\"bad, user\" is not a UPN"),
        "{:?}",
        p.problems
    );
    assert!(p.problems[1].reason.contains("HH:MM"), "{:?}", p.problems);
}

#[test]
fn no_header_uses_column_one_and_ignores_the_rest() {
    let p = parse_csv(
        "adele@contoso.com,whatever,42\n6e7b768e-07e2-4810-8459-485f84f8f204\n\nnot a user,x\n",
    );
    assert_eq!(
        upns(&p),
        vec![
            (1, "adele@contoso.com"),
            (2, "6e7b768e-07e2-4810-8459-485f84f8f204")
        ]
    );
    assert_eq!(
        p.problems,
        vec![RowProblem {
            source: Source::Csv,
            line: 4,
            reason: "\"not a user\" is not a UPN (name@domain) or an object ID.".into()
        }]
    );
}

#[test]
fn duplicates_are_case_insensitive_and_point_at_the_first_line() {
    let p = parse_csv(
        "upn\nAdele@Contoso.com\nalex@contoso.com\nadele@contoso.COM\nbroken\nalex@contoso.com\n",
    );
    assert_eq!(
        upns(&p),
        vec![(2, "Adele@Contoso.com"), (3, "alex@contoso.com")]
    );
    assert_eq!(
        p.duplicates,
        vec![
            RowProblem {
                source: Source::Csv,
                line: 4,
                reason: "Same user as line 2; only line 2 is used.".into()
            },
            RowProblem {
                source: Source::Csv,
                line: 6,
                reason: "Same user as line 3; only line 3 is used.".into()
            },
        ]
    );
    assert_eq!(lines(&p.problems), vec![5]);
}

#[test]
fn each_bad_value_is_reported_on_its_line() {
    let text = "upn,start,startTime,tz,lifetime,oneTime,extra\n\
                a@x.com,2025-04-03,25:00,,,,\n\
                b@x.com,04/03/2025,09:00,,,,\n\
                c@x.com,,09:00,,,,\n\
                d@x.com,,,Europe/Paris,,,\n\
                e@x.com,2025-04-03,,,,,\n\
                f@x.com,,,,5,,\n\
                g@x.com,,,,ninety,,\n\
                h@x.com,,,,,maybe,\n\
                i@x.com,2025-04-03 08:00,09:00,,,,\n\
                j@x.com,2025-04-03 09:00,09:00,UTC,1h30m,x,ignored\n";
    let p = parse_csv(text);
    assert_eq!(upns(&p), vec![(11, "j@x.com")]);
    let got: Vec<(usize, &str)> = p
        .problems
        .iter()
        .map(|p| (p.line, p.reason.as_str()))
        .collect();
    assert_eq!(
        got[0],
        (2, "\"startTime\" is \"25:00\": use HH:MM, 24-hour.")
    );
    assert_eq!(got[1].0, 3);
    assert!(got[1]
        .1
        .starts_with("\"start\" is \"04/03/2025\": write the date as YYYY-MM-DD"));
    assert_eq!(
        got[2],
        (
            4,
            "A start time needs a date: fill in \"start\" as YYYY-MM-DD."
        )
    );
    assert_eq!(
        got[3],
        (
            5,
            "A time zone needs a start: fill in \"start\" with a date and a time."
        )
    );
    assert_eq!(got[4].0, 6);
    assert!(got[4].1.contains("give a start time"), "{}", got[4].1);
    assert_eq!(got[5].0, 7);
    assert!(got[5].1.contains("\"lifetime\" is \"5\" (5 minutes)"));
    assert_eq!(
        got[6],
        (
            8,
            "\"lifetime\" is \"ninety\": give whole minutes, for example 90, 90m, 2h or 1h30m."
        )
    );
    assert_eq!(got[7].0, 9);
    assert!(got[7].1.starts_with("\"oneTime\" is \"maybe\""));
    assert_eq!(
        got[8],
        (
            10,
            "\"start\" says 08:00 but \"startTime\" says 09:00: give the time once."
        )
    );
    assert_eq!(got.len(), 9);
    assert_eq!(p.rows[0].lifetime_minutes, Some(90));
    assert_eq!(p.rows[0].one_time, Some(true));
    assert_eq!(
        p.rows[0]
            .start
            .as_ref()
            .and_then(|s| s.time_zone.as_deref()),
        Some("UTC")
    );
}

#[test]
fn several_reasons_on_one_line_are_joined() {
    let p = parse_csv("upn,lifetime,once\nnobody,2d,perhaps\n");
    assert_eq!(p.problems.len(), 1);
    let r = &p.problems[0].reason;
    assert!(
        r.contains("\"nobody\" is not a UPN")
            && r.contains("\"lifetime\" is \"2d\"")
            && r.contains("\"once\" is \"perhaps\""),
        "{r}"
    );
}

#[test]
fn a_header_without_a_user_column_is_one_problem() {
    let p = parse_csv("name,start\nAdele,2025-01-01\n");
    assert_eq!((p.rows.len(), lines(&p.problems)), (0, vec![1]));
    assert!(p.problems[0].reason.contains("\"upn\""));
}

#[test]
fn tabs_quotes_after_spaces_and_empty_input() {
    let p = parse_csv("mail\tduration\nadele@contoso.com\t 45 \n");
    assert_eq!(p.rows[0].lifetime_minutes, Some(45));
    let p = parse_csv("upn, start\nadele@contoso.com, \"2025-04-03 09:00\"\n");
    assert_eq!(p.problems, vec![]);
    assert_eq!(
        p.rows[0].start.as_ref().map(|s| s.date.as_str()),
        Some("2025-04-03")
    );
    assert_eq!(parse_csv(""), Parsed::default());
    assert_eq!(parse_csv("\u{feff}\r\n\r\n ; ; \r\n"), Parsed::default());
    // Garbage never panics.
    let p = parse_csv("\"unterminated,\n\0\u{1}\"\"\",;;\n@,@\n");
    assert!(p.rows.is_empty());
}

#[test]
fn pasted_lists() {
    let text =
        "upn\nadele@contoso.com, alex@contoso.com;\n\n  megan@contoso.com   lynne@contoso.com\n\
                Adele Vance <ADELE@contoso.com>; \"Joni\" <joni@contoso.com>\nnobody\n";
    let p = parse_list(text);
    assert_eq!(
        upns(&p),
        vec![
            (2, "adele@contoso.com"),
            (2, "alex@contoso.com"),
            (4, "megan@contoso.com"),
            (4, "lynne@contoso.com"),
            (5, "joni@contoso.com"),
        ]
    );
    assert_eq!(
        p.duplicates,
        vec![RowProblem {
            source: Source::Pasted,
            line: 5,
            reason: "Same user as line 2; only line 2 is used.".into()
        }]
    );
    assert_eq!(lines(&p.problems), vec![6]);
    assert_eq!(parse_list(" \n ,;\n"), Parsed::default());
}

/// 200 generated data lines, ten kinds in turn; the expected counts follow from the kinds.
#[test]
fn two_hundred_messy_lines_give_exact_counts() {
    let mut text = String::from("\u{feff}E-Mail;Start;Time;Minutes;Once\r\n");
    let mut expected_problem_lines = Vec::new();
    let mut expected_duplicate_lines = Vec::new();
    let mut line = 1;
    for i in 0..200 {
        line += 1;
        let kind = i % 10;
        let record = match kind {
            0 => format!("user{i}@contoso.com;2025-06-01;09:00;60;yes"),
            1 => format!("  USER{i}@contoso.com  ;;;;"),
            2 => format!("\"user{i}@contoso.com\";\"2025-06-01\";\"9:15\";\"1h\";\"no\""),
            3 => format!("user{}@CONTOSO.com;;;;", i - 3),
            4 => format!("user{i}@contoso.com;06/01/2025;09:00;;"),
            5 => format!("user{i}@contoso.com;;;15 minutes;"),
            6 => format!("user{i};;;;"),
            7 => format!("\"user{i}@contoso.com\";\"2025-06-01\nT09:00\";;;"),
            8 => format!("user{i}@contoso.com;2025-06-01;;;"),
            _ => format!("user{i}@contoso.com;;;90m;x"),
        };
        match kind {
            3 => expected_duplicate_lines.push(line),
            4..=8 => expected_problem_lines.push(line),
            _ => {}
        }
        text.push_str(&record);
        text.push_str(if i % 2 == 0 { "\r\n" } else { "\n" });
        line += record.matches('\n').count();
        if i % 25 == 0 {
            text.push_str(";;;;\r\n\r\n");
            line += 2;
        }
    }
    let p = parse_csv(&text);
    assert_eq!(p.rows.len(), 200 / 10 * 4);
    assert_eq!(lines(&p.problems), expected_problem_lines);
    assert_eq!(lines(&p.duplicates), expected_duplicate_lines);
    assert_eq!(p.problems.len(), 100);
    assert_eq!(p.duplicates.len(), 20);
    assert!(p.problems.iter().all(|p| !p.reason.is_empty()));
    let r2 = p
        .rows
        .iter()
        .find(|r| r.upn == "user2@contoso.com")
        .expect("kind 2 kept");
    assert_eq!((r2.lifetime_minutes, r2.one_time), (Some(60), Some(false)));
    assert_eq!(r2.start.as_ref().map(|s| s.time.as_str()), Some("09:15"));
}

#[test]
fn a_value_longer_than_a_upn_is_refused_here_and_quoted_short() {
    let long = format!("{}@contoso.com", "a".repeat(5_000));
    for p in [parse_csv(&format!("upn\n{long}\n")), parse_list(&long)] {
        assert!(
            p.rows.is_empty(),
            "a 5,000-character UPN would be looked up"
        );
        let reason = &p.problems[0].reason;
        assert!(
            reason.contains("5012 characters long, but a UPN has at most 113"),
            "{reason}"
        );
        assert!(
            reason.chars().count() < 200,
            "the sentence quotes it whole: {} characters",
            reason.chars().count()
        );
    }
    // A long value that is no UPN at all is quoted shortened too.
    let p = parse_list(&"y".repeat(100));
    assert!(
        p.problems[0]
            .reason
            .starts_with(&format!("\"{}…\" is not a UPN", "y".repeat(QUOTE_CHARS))),
        "{:?}",
        p.problems
    );
    // 113 characters is still a UPN; 114 is not.
    let edge = format!("{}@{}.com", "a".repeat(64), "b".repeat(44));
    assert_eq!(edge.chars().count(), MAX_UPN_CHARS);
    assert_eq!(parse_list(&edge).rows.len(), 1);
    assert_eq!(parse_list(&format!("x{edge}")).rows.len(), 0);
    // Any other column: a value far too long is named once, shortened.
    let p = parse_csv(&format!(
        "upn,timeZone,start\nadele@contoso.com,{},2027-01-01 09:00\n",
        "Z".repeat(3_000)
    ));
    assert!(
        p.problems[0].reason.contains("(3000 characters)") && p.problems[0].reason.len() < 200,
        "{:?}",
        p.problems
    );
}

#[test]
fn every_problem_of_a_line_is_named() {
    let known = |z: &str| z == "Europe/Berlin";
    let p = parse_csv_checked("upn,start,timeZone,lifetime\nadele@contoso.com,,Mars/Olympus,5000000\nalex@contoso.com,2027-01-01 09:00,Europe/Berlin,\n", &known);
    assert_eq!(lines(&p.problems), vec![2]);
    let reason = &p.problems[0].reason;
    for part in [
        "A time zone needs a start",
        "\"Mars/Olympus\" is not a time zone",
        "lifetime",
    ] {
        assert!(reason.contains(part), "{part} is not named: {reason}");
    }
    assert_eq!(p.rows.len(), 1, "a known zone is fine");
    // Unchecked reading leaves zones to the dry run, as before.
    assert!(
        !parse_csv("upn,start,timeZone\nadele@contoso.com,2027-01-01 09:00,Mars/Olympus\n")
            .problems
            .iter()
            .any(|p| p.reason.contains("not a time zone"))
    );
}
