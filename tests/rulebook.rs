//! The rulebook (`needlecheck rulebook`): the Markdown document of a small test questionnaire
//! (snapshot), the command line printing it, what it says about the built-in questionnaire,
//! hostile questionnaire text, and the generated table in `questionnaires/README.md`.
//!
//! The README table is regenerated with `UPDATE_README=1 cargo test --test rulebook`.

use std::path::Path;

use needlecheck::model::{Condition, Literal, QuestionType};
use needlecheck::printable::is_unsafe;
use needlecheck::rulebook::{
    README_BEGIN, README_END, generated_part, html, markdown, md, readme_table, replace_generated,
};
use needlecheck::{Answer, Answers, Questionnaire, loader};

const FIXTURE: &str = "tests/fixtures/rulebook.json";
const README: &str = "questionnaires/README.md";

fn fixture() -> Questionnaire {
    loader::load_path(Path::new(FIXTURE)).expect("the rulebook fixture loads")
}

fn embedded() -> Questionnaire {
    loader::embedded().expect("the built-in questionnaire loads")
}

/// The characters that must never reach the output: controls (but the line feeds between
/// lines), bidi controls and invisible characters.
fn assert_no_control_characters(text: &str) {
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !(c.is_control() || is_unsafe(c)),
            "{c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..i]
        );
    }
}

/// `|` characters that split a table row: those not escaped by a backslash.
fn bare_pipes(line: &str) -> usize {
    let mut n = 0;
    let mut backslashes = 0usize;
    for c in line.chars() {
        if c == '|' && backslashes.is_multiple_of(2) {
            n += 1;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    n
}

#[test]
fn markdown_of_the_test_questionnaire() {
    insta::assert_snapshot!("rulebook_md", markdown(&fixture()));
}

#[test]
fn html_of_the_test_questionnaire() {
    insta::assert_snapshot!("rulebook_html", html(&fixture()));
}

#[test]
fn the_command_prints_the_rulebook() {
    let q = fixture();
    for args in [
        vec!["rulebook", "-q", FIXTURE],
        vec!["-q", FIXTURE, "rulebook", "--format", "md"],
    ] {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            markdown(&q),
            "{args:?}"
        );
    }
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .args(["rulebook", "-q", FIXTURE, "--format", "html"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), html(&q));
    // The built-in questionnaire without -q.
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .arg("rulebook")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        markdown(&embedded())
    );
    // An unknown format is a usage error.
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .args(["rulebook", "--format", "pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_question_and_rule_of_the_built_in_questionnaire_is_in_the_rulebook() {
    let q = embedded();
    let doc = markdown(&q);
    assert_no_control_characters(&doc);
    assert!(doc.contains(&format!("| Version | {} |", q.version())));
    assert!(doc.contains(&format!("`{}`", q.sha256())));
    for (i, question) in q.questions().iter().enumerate() {
        let heading = format!("\n#### {}. `{}` (", i + 1, question.id);
        assert!(doc.contains(&heading), "no heading {heading:?}");
        let section = question_section(&doc, i + 1, &question.id);
        assert!(
            section.contains(&md(&question.text)),
            "{}: text",
            question.id
        );
        if let Some(st) = &question.staff_text {
            assert!(section.contains(&md(st)), "{}: staff text", question.id);
        }
        if let Some(h) = &question.help {
            assert!(section.contains(&md(h)), "{}: help", question.id);
        }
        for o in &question.options {
            assert!(
                section.contains(&md(&o.label)),
                "{}: {}",
                question.id,
                o.code
            );
            if let Some(st) = &o.staff_label {
                assert!(section.contains(&md(st)), "{}: {}", question.id, o.code);
            }
        }
    }
    for r in q.rules() {
        let heading = format!("\n### `{}`: ", r.rule.id);
        assert!(doc.contains(&heading), "no heading {heading:?}");
        let section = rule_section(&doc, &r.rule.id);
        assert!(
            section.contains(&md(&r.rule.message)),
            "{}: message",
            r.rule.id
        );
        if let Some(n) = &r.rule.practitioner_note {
            assert!(section.contains(&md(n)), "{}: note", r.rule.id);
        }
        // A stop rule's own steps, in both wordings, numbered in order.
        for (label, steps) in [
            ("Steps on its interrupt:", &r.rule.steps),
            ("Steps on its interrupt for staff:", &r.rule.staff_steps),
        ] {
            if let Some(steps) = steps {
                let at = section.find(label).expect(label);
                for (i, step) in steps.iter().enumerate() {
                    let line = format!("\n  {}. {}\n", i + 1, md(step));
                    assert!(section[at..].contains(&line), "{}: {line:?}", r.rule.id);
                }
            }
        }
        for s in &r.rule.sources {
            let title = md(&q.source(s).expect("cited source exists").title);
            assert!(
                section.contains(&format!("`{s}`: {title}")),
                "{}: {s}",
                r.rule.id
            );
        }
    }
    for (i, t) in q.tests().iter().enumerate() {
        let row = format!(
            "\n| {} | {} | `{}` | ",
            i + 1,
            md(&t.name),
            t.expect.as_str()
        );
        assert!(doc.contains(&row), "scenario {:?} is not listed", t.name);
    }
    // Conditions are in words, not JSON.
    for json in ["\"q\":", "\"equals\"", "\"contains\"", "{\"all\"", "one_of"] {
        assert!(!doc.contains(json), "{json} in the rulebook");
    }
}

#[test]
fn the_advice_of_every_level_with_its_contacts_and_after_care_is_in_the_rulebook() {
    let q = embedded();
    let doc = markdown(&q);
    let advice = &doc[doc.find("\n## Advice\n").expect("an Advice part")..];
    let advice = &advice[..advice.find("\n## Questions\n").expect("Questions follow")];
    assert!(advice.contains(&md(q.disclaimer())), "the disclaimer");
    for level in needlecheck::Level::ALL {
        let a = q.advice().for_level(level);
        let heading = format!("\n### `{}`: {}\n", level.as_str(), md(&a.label));
        let at = advice
            .find(&heading)
            .unwrap_or_else(|| panic!("no {heading:?}"));
        let part = &advice[at + heading.len()..];
        let part = &part[..part.find("\n### ").unwrap_or(part.len())];
        let staff_steps = a.staff_next_steps.iter().flatten();
        for text in [&a.summary].into_iter().chain(&a.staff_summary) {
            assert!(part.contains(&md(text)), "{level:?}: summary");
        }
        for step in a.next_steps.iter().chain(staff_steps) {
            assert!(part.contains(&md(step)), "{level:?}: step {step:?}");
        }
        for c in q.contacts().iter().filter(|c| c.show_for.contains(&level)) {
            let listed = format!("{} ({})", md(&c.name), md(&c.number));
            assert!(part.contains(&listed), "{level:?}: contact {}", c.id);
        }
        for b in q.aftercare().iter().filter(|b| b.shown_for(level)) {
            assert!(part.contains(&md(&b.heading)), "{level:?}: {}", b.heading);
        }
    }
    for c in q.contacts() {
        assert!(doc.contains(&format!(
            "| {} (`{}`) | {} |",
            md(&c.name),
            c.id,
            md(&c.number)
        )));
    }
    for item in q.aftercare().iter().flat_map(|b| &b.items) {
        assert!(doc.contains(&format!("\n  - {}\n", md(item))), "{item:?}");
    }
}

#[test]
fn under_a_clinic_file_the_rulebook_names_the_clinic_its_file_and_its_contacts() {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .args(["--clinic", "questionnaires/clinic-example.json", "rulebook"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc = String::from_utf8(out.stdout).unwrap();
    assert!(doc.contains("| Clinic | Harbour Physio |"));
    let hash_line = doc
        .lines()
        .find(|l| l.starts_with("| SHA-256 of the clinic file | `"))
        .expect("the clinic file's hash in the header");
    let hash = hash_line.split('`').nth(1).unwrap();
    assert_eq!(hash.len(), 64);
    assert!(doc.contains(&format!("under the clinic file with SHA-256 `{hash}`")));
    // The clinic's own phone is a contact, and the clinic file's wording of the nurse line wins.
    assert!(doc.contains("02 9000 0000"));
    assert!(doc.contains("To talk to a registered nurse, any time of day or night"));
    // Without a clinic file there is no clinic to sign for.
    assert!(!markdown(&embedded()).contains("| Clinic |"));
}

#[test]
fn the_contents_link_to_headings_that_exist_in_markdown_and_html() {
    let q = embedded();
    let doc = markdown(&q);
    let contents = &doc[doc.find("\n## Contents\n").expect("contents")..];
    let contents = &contents[..contents[1..].find("\n## ").unwrap() + 1];
    let links: Vec<&str> = contents
        .split("](#")
        .skip(1)
        .map(|rest| &rest[..rest.find(')').unwrap()])
        .collect();
    let h2 = doc.lines().filter(|l| l.starts_with("## ")).count();
    // Every part but the contents, and the sections of the questions.
    assert!(links.len() >= h2 - 1 + q.sections().len(), "{links:?}");
    let page = html(&q);
    for id in &links {
        assert!(page.contains(&format!(" id=\"{id}\"")), "no heading #{id}");
        assert!(
            page.contains(&format!("<a href=\"#{id}\">")),
            "no link to #{id}"
        );
    }
    // Ids are unique, as GitHub makes them for the Markdown.
    let ids: Vec<&str> = page
        .split(" id=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
}

/// The text of the rulebook from a rule's heading to the next heading.
fn rule_section<'a>(md: &'a str, id: &str) -> &'a str {
    let start = md
        .find(&format!("\n### `{id}`: "))
        .unwrap_or_else(|| panic!("no rule {id}"))
        + 1;
    let end = md[start + 1..]
        .find("\n#")
        .map_or(md.len(), |e| start + 1 + e);
    &md[start..end]
}

fn question_section<'a>(md: &'a str, n: usize, id: &str) -> &'a str {
    let start = md
        .find(&format!("\n#### {n}. `{id}` ("))
        .unwrap_or_else(|| panic!("no question {id}"))
        + 1;
    let end = md[start + 1..]
        .find("\n#")
        .map_or(md.len(), |e| start + 1 + e);
    &md[start..end]
}

/// The gate of a follow-up asked on `{"all": [{"q": G, "answered": true}, {"q": G,
/// "equals": "yes"}]}`, the form the built-in questionnaire uses.
fn yes_gate(c: &Condition) -> Option<&str> {
    let all = c.all.as_ref()?;
    let [a, b] = all.as_slice() else { return None };
    let gate = a.q.as_deref()?;
    (a.answered == Some(true)
        && b.q.as_deref() == Some(gate)
        && b.equals == Some(Literal::Text("yes".into())))
    .then_some(gate)
}

#[test]
fn follow_ups_are_said_to_be_asked_after_not_sure_as_the_engine_asks_them() {
    let q = embedded();
    let doc = markdown(&q);
    // "Not sure" to every yes/no question that offers it: every such gate is then open.
    let mut answers = Answers::new(q.questions().len());
    for (i, question) in q.questions().iter().enumerate() {
        if question.kind == QuestionType::YesNo && question.allows_unsure() {
            answers.set(i, Some(Answer::Unsure));
        }
    }
    let visible = q.visibility(&answers);
    let mut checked = 0;
    for (i, question) in q.questions().iter().enumerate() {
        let Some(gate) = question.show_if.as_deref().and_then(yes_gate) else {
            continue;
        };
        let g = q.question_index(gate).expect("gate exists");
        if !q.questions()[g].allows_unsure() || !visible[g] {
            continue;
        }
        // What the engine does...
        assert!(
            visible[i],
            "{} is hidden after Not sure to {gate}",
            question.id
        );
        // ...is what the rulebook says.
        let section = question_section(&doc, i + 1, &question.id);
        assert!(
            section.contains(&format!("(`{gate}`) is Yes or Not sure\n")),
            "{}: {section}",
            question.id
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} gated follow-ups checked");
    // And a follow-up whose gate was answered No is not asked.
    let gate = q.question_index("blood_gate").unwrap();
    answers.set(gate, Some(Answer::No));
    let follow = q.question_index("thinner_which").unwrap();
    assert!(!q.visibility(&answers)[follow]);
}

#[test]
fn rules_say_how_not_sure_counts() {
    let doc = markdown(&fixture());
    let escalate = rule_section(&doc, "minor_no_guardian");
    assert!(
        escalate.contains("(`guardian`) is No (or Not sure)"),
        "{escalate}"
    );
    assert!(escalate.contains("marked \"could not be ruled out\""));
    assert!(escalate.contains("#5 “15, guardian not sure” (on Not sure)"));
    let ignore = rule_section(&doc, "inr_high");
    assert!(ignore.contains("is above 3\n"), "{ignore}");
    assert!(ignore.contains("ignored (`unknown: ignore`)"));
    assert!(ignore.contains("does not fire** (answering the most of its questions): #7 “warfarin, INR 2”; #8 “warfarin, INR not sure”"));
    let never = rule_section(&doc, "very_old");
    assert!(never.contains("No scenario test fires this rule."));
}

/// The fixture with hostile text in every kind of field.
fn hostile() -> Questionnaire {
    // The loader refuses control characters but line feeds; bidi controls and invisible
    // characters load (and are escaped on output).
    let evil = "A\u{202e}]0;title\u{2028}|B\nC <!-- rulebook:end --> `x` [l](javascript:x) \u{2066}D\u{200b} &lt; #E *F*";
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    v["title"] = evil.into();
    let section = &mut v["sections"][0];
    section["title"] = evil.into();
    section["intro"] = evil.into();
    let chest = &mut v["sections"][0]["questions"][0];
    chest["text"] = evil.into();
    chest["staff_text"] = evil.into();
    chest["help"] = evil.into();
    v["sections"][1]["questions"][3]["options"][0]["label"] = evil.into();
    v["sections"][1]["questions"][3]["options"][0]["staff_label"] = evil.into();
    v["sections"][1]["questions"][1]["unit"] = evil.into();
    v["rules"][0]["message"] = evil.into();
    v["rules"][0]["practitioner_note"] = evil.into();
    v["sources"][0]["title"] = evil.into();
    v["sources"][0]["url"] = "javascript:alert(1)|x".into();
    v["tests"][1]["name"] = evil.into();
    v["advice"]["clear"]["label"] = evil.into();
    let text = serde_json::to_string(&v).unwrap();
    loader::load_str("hostile.json", text.as_bytes()).expect("hostile fixture loads")
}

#[test]
fn hostile_text_cannot_reach_the_terminal_or_break_the_markdown() {
    let q = hostile();
    for (what, out) in [("markdown", markdown(&q)), ("table", readme_table(&q))] {
        assert_no_control_characters(&out);
        assert!(!out.contains(README_END), "{what}: end marker");
        assert!(!out.contains(README_BEGIN), "{what}: begin marker");
        assert!(!out.contains("[l]("), "{what}: a link");
        assert!(
            out.contains("\\[l\\](javascript:x)"),
            "{what}: the text of a link"
        );
        assert!(!out.contains("<javascript"), "{what}: an autolink");
        assert!(!out.contains("`x`"), "{what}: a code span from the text");
        assert!(!out.contains(" #E"), "{what}: a bare #");
        assert!(!out.contains(" &lt;"), "{what}: an entity");
        assert!(out.contains(" \\&lt;"), "{what}: the text of an entity");
        assert!(
            out.contains("A\\u{202e}\\]0;title\\u{2028}"),
            "{what}: visible escapes"
        );
        assert_eq!(
            out.matches("|B").count(),
            out.matches("\\|B").count(),
            "{what}: a bare pipe"
        );
        for line in out.lines().filter(|l| l.starts_with('|')) {
            let columns = line.matches("|---").count();
            if columns == 0 {
                let pipes = bare_pipes(line);
                assert!(pipes == 3 || pipes == 5 || pipes == 6, "{what}: {line}");
            }
        }
    }
    let table = readme_table(&q);
    for line in table.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(bare_pipes(line), 6, "{line}");
    }
}

/// The tags an HTML rulebook may hold; anything else came from questionnaire text.
const TAGS: &[&str] = &[
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "code", "br",
    "a",
];

/// Checks that a page is self-contained and holds only the rulebook's own markup.
fn assert_safe_self_contained_html(page: &str) {
    assert_no_control_characters(page);
    assert!(page.starts_with("<!DOCTYPE html>\n"));
    assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    for bad in [
        "<script", "src=", "<link", "@import", "url(", "<img", "<iframe", " on",
    ] {
        let lower = page.to_lowercase();
        let found = lower.match_indices(bad).find(|(i, _)| {
            // " on" is only suspicious inside a tag.
            bad != " on" || lower[..*i].rfind('<') > lower[..*i].rfind('>')
        });
        assert!(found.is_none(), "{bad} in the page");
    }
    for (i, _) in page.match_indices('<') {
        let rest = page[i + 1..].trim_start_matches('/');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(TAGS.contains(&name.as_str()), "tag <{name}> at byte {i}");
    }
    for (i, _) in page.match_indices("href=\"") {
        let url = &page[i + 6..];
        // Outside links are to sources; `#…` links (the contents) go to a heading of the page.
        let local = url
            .strip_prefix('#')
            .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
            .is_some_and(|id| !id.is_empty() && page.contains(&format!(" id=\"{id}\"")));
        assert!(
            local || url.starts_with("https://") || url.starts_with("http://"),
            "link {}",
            &url[..url.len().min(40)]
        );
    }
    let opened = page.matches("<li>").count();
    assert_eq!(opened, page.matches("</li>").count(), "unbalanced <li>");
    for tag in ["ul", "ol", "table", "strong", "em", "code", "p", "tr"] {
        let open =
            page.matches(&format!("<{tag}>")).count() + page.matches(&format!("<{tag} ")).count();
        assert_eq!(
            open,
            page.matches(&format!("</{tag}>")).count(),
            "unbalanced <{tag}>"
        );
    }
}

#[test]
fn the_html_rulebook_is_one_safe_page() {
    let q = embedded();
    let page = html(&q);
    assert_safe_self_contained_html(&page);
    assert!(page.contains("@page { size: A4;"));
    for r in q.rules() {
        assert!(
            page.contains(&format!("\"><code>{}</code>: ", r.rule.id)),
            "{}",
            r.rule.id
        );
    }
    for question in q.questions() {
        assert!(
            page.contains(&format!(". <code>{}</code> (", question.id)),
            "{}",
            question.id
        );
    }
    let hostile = html(&hostile());
    assert_safe_self_contained_html(&hostile);
    assert!(hostile.contains("C &lt;!-- rulebook:end --&gt; `x` [l](javascript:x)"));
    assert!(hostile.contains("&amp;lt; #E *F*"));
}

#[test]
fn readme_table_lists_every_question_and_rule() {
    let q = embedded();
    let table = readme_table(&q);
    assert_no_control_characters(&table);
    for (i, question) in q.questions().iter().enumerate() {
        assert!(
            table.contains(&format!("\n| {}. `{}` | ", i + 1, question.id)),
            "{}",
            question.id
        );
    }
    for r in q.rules() {
        assert!(
            table.contains(&format!("`{}` → ", r.rule.id)),
            "{}",
            r.rule.id
        );
    }
    assert!(table.contains(&format!("Version {}:", q.version())));
}

#[test]
fn questionnaire_readme_table_is_current() {
    let readme = std::fs::read_to_string(README).expect("questionnaires/README.md exists");
    let fresh = readme_table(&embedded());
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        let updated = replace_generated(&readme, &fresh)
            .expect("questionnaires/README.md has the rulebook:begin and rulebook:end markers");
        if updated != readme {
            std::fs::write(README, updated).expect("write questionnaires/README.md");
        }
        return;
    }
    let committed = generated_part(&readme).unwrap_or_else(|| {
        panic!("questionnaires/README.md has lost its lines {README_BEGIN} and {README_END}")
    });
    assert!(
        committed == fresh,
        "the table in questionnaires/README.md is out of date with the questionnaire; run \
         `UPDATE_README=1 cargo test --test rulebook` and commit the README"
    );
}
