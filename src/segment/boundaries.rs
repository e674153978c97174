//! Sentence boundaries: paragraphs cut into sentences by `sentencex`, then repaired where news
//! prose trips it (quotations, abbreviations inside quotes, attribution after a quoted question).

use super::*;

/// Largest index <= `at` that is a char boundary and, if possible, just after whitespace.
fn cut_point(text: &str, start: usize, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Not between a letter and its combining accent, or inside an emoji sequence.
    let mut graphemes = unicode_segmentation::GraphemeCursor::new(at, text.len(), true);
    if graphemes.is_boundary(text, 0) == Ok(false)
        && let Ok(Some(b)) = graphemes.prev_boundary(text, 0)
        && b > start
    {
        at = b;
    }
    let piece = &text[start..at];
    match piece.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        // After the whitespace character, whatever its width (U+00A0 is two bytes).
        Some((ws, c)) if ws > (at - start) / 2 => start + ws + c.len_utf8(),
        _ => at,
    }
}

/// The end of the last ". ", "? " or "! " (the mark, a closing quote or bracket, then white
/// space) in the second half of `text[start..at]`, where a paragraph too long for one piece
/// is best cut: sentencex reads "in May. Voters" as one sentence, so its own ends cannot be
/// relied on to find one.
fn sentence_end_before(text: &str, start: usize, at: usize) -> Option<usize> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let window = &text[start..at];
    let half = window.len() / 2;
    for (i, c) in window.char_indices().rev() {
        if i < half {
            break;
        }
        if !c.is_whitespace() {
            continue;
        }
        // `c` is white space at `i`: look back past closing marks for the sentence's mark.
        let before = window[..i].trim_end_matches(['"', '\'', '”', '’', ')', ']']);
        if before.ends_with(['.', '?', '!']) {
            return Some(start + i + c.len_utf8());
        }
    }
    None
}

/// Sentence spans of one paragraph `text[start..end]`.
pub(super) fn split_paragraph(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        // (where the piece ends, whether that is inside a sentence)
        let (piece_end, mid_sentence) = if end - pos > MAX_PARAGRAPH_BYTES {
            match sentence_end_before(text, pos, pos + MAX_PARAGRAPH_BYTES) {
                Some(at) => (at, false),
                None => (cut_point(text, pos, pos + MAX_PARAGRAPH_BYTES), true),
            }
        } else {
            (end, false)
        };
        let piece = &text[pos..piece_end];
        let mut bounds = sentencex::get_sentence_boundaries("en", piece);
        // A piece cut at white space (no sentence end in its second half) ends inside a
        // sentence: its last one is read again with what follows, from its own start (when
        // it is not the piece's only one, which must go as it is for the loop to move on).
        let mut next = piece_end;
        if mid_sentence {
            // The last sentence with words in it (sentencex may end with a blank span).
            let last = bounds
                .iter()
                .rposition(|b| !piece[b.start_byte..b.end_byte].trim().is_empty());
            if let Some(k) = last.filter(|&k| bounds[k].start_byte > 0) {
                next = pos + bounds[k].start_byte;
                bounds.truncate(k);
            }
        }
        for b in bounds {
            let (a, z) = trim_range(text, pos + b.start_byte, pos + b.end_byte);
            if z > a {
                out.push((a, z));
            }
        }
        pos = next;
    }
    let out = split_spans(text, out, false_abbreviation_cuts);
    let out = carry_opening_quotes(text, split_spans(text, out, quote_cuts));
    // Runs still too long are cut last: cut first, a run of sentences sentencex had not told
    // apart ("... open in May. Voters ...") was cut at 2,000 bytes mid-sentence before the
    // repairs above could split it at its real ends.
    let mut cut = Vec::with_capacity(out.len());
    for (mut s, e) in repair_boundaries(text, out) {
        while e > s && e - s > MAX_SENTENCE_BYTES {
            let at = cut_point(text, s, s + MAX_SENTENCE_BYTES);
            let (a, z) = trim_range(text, s, at);
            if z > a {
                cut.push((a, z));
            }
            s = at;
        }
        let (a, z) = trim_range(text, s, e);
        if z > a {
            cut.push((a, z));
        }
    }
    cut
}

/// sentencex sometimes ends a sentence after the mark that opens the next one ("... Indyk
/// said. “" then "That has nothing to do with ..."): a mark after a space at a span's end
/// moves to the start of the span after it, so that both sentences read as written.
fn carry_opening_quotes(text: &str, mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    for k in 0..spans.len().saturating_sub(1) {
        let (s, e) = spans[k];
        let span = &text[s..e];
        let Some(mark) = span
            .chars()
            .next_back()
            .filter(|c| matches!(c, '“' | '‘' | '"'))
        else {
            continue;
        };
        let body = &span[..span.len() - mark.len_utf8()];
        let trimmed = body.trim_end();
        // Only a mark after a space, with a sentence before it: "he said. “" and not a span
        // that is the mark alone. A straight mark opens only where the double marks before it
        // are paired, either mark closing either as in `quotations` ("It's over. \" He left"
        // closes a quotation: it stays).
        let unpaired_before = || {
            body.chars()
                .filter(|c| matches!(c, '"' | '“' | '”'))
                .count()
                % 2
                == 1
        };
        if trimmed.len() == body.len() || trimmed.is_empty() || (mark == '"' && unpaired_before()) {
            continue;
        }
        let (next_s, next_e) = spans[k + 1];
        // Spans come in order without overlap; `get` keeps that an assumption, not a panic.
        if !text
            .get(e..next_s)
            .is_some_and(|b| b.chars().all(char::is_whitespace))
        {
            continue;
        }
        spans[k] = (s, s + trimmed.len());
        // Spans are the input's bytes: a space after the mark, if any, stays as written.
        spans[k + 1] = (e - mark.len_utf8(), next_e);
    }
    spans
}

/// Words that end in a full stop inside a quotation without ending its sentence ("Apple Inc.
/// Chief", "Sens. McCain"), besides the titles before a name ([`NAME_TITLES`]) and months'
/// short forms; lower-cased, without the stop. Initials ("J. Paul") and words with a stop
/// inside ("U.S.", "a.m.") are told apart by their shape.
const QUOTE_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "st", "jr", "sr", "vs", "etc", "inc", "co", "corp", "ltd", "mt", "ave", "blvd",
    "rd", "dept", "univ", "est", "fig", "approx", "pvt", "sens", "reps", "bros", "fr", "hon",
    "cmdr", "brig", "msgr", "messrs", "esq", "assn", "mfg", "thu", "thurs", "tue", "tues", "fri",
    "calif", "fla", "ariz", "tenn", "ky", "okla", "colo", "conn", "wis", "ala", "ark", "del", "ga",
    "ind", "kan", "md", "mich", "minn", "mo", "mont", "neb", "nev", "pa", "va", "vt", "wyo",
    "sgts", "lts", "govs", "asst", "pres", "atty", "gens", "secy", "amb",
];

/// Short forms that are also words ("the sun.", "they wed."), abbreviations only as written.
const QUOTE_ABBREVIATIONS_AS_WRITTEN: &[&str] = &["Wed", "Sat", "Sun"];

/// Balanced quotations of `piece` as (opening mark, closing mark) byte offsets, in double
/// marks and in single ones (British and many wire styles quote in single marks: 'We lost.
/// They won,' he said.). Either double mark closes either (copy-edited news mixes them: “Yes,"
/// said Pvt. Manning, "we did it.”), so the narration between two quotations is not taken for
/// a quotation's inside.
pub(crate) fn quotations(piece: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in piece.char_indices() {
        match (open, c) {
            (None, '“' | '"') => open = Some((i, c)),
            (Some((a, _)), '”' | '"') => {
                out.push((a, i));
                open = None;
            }
            (Some(_), '“') => open = Some((i, c)),
            _ => {}
        }
    }
    out.extend(single_quotations(piece));
    out
}

/// Quotations in single marks. The closing mark is also the apostrophe ("don’t", "Jones'
/// car"), so a mark opens only at a word's start (after a space, a bracket or the piece's
/// start, before a letter, not an elision such as "'Tis") and closes only after a stop or a
/// comma (before a space, a stop or the end), never after a letter: the opening of "the
/// '60s" and a plural possessive cannot pair into a quotation over narration.
fn single_quotations(piece: &str) -> Vec<(usize, usize)> {
    // Words a leading mark elides a letter of ("'Tis", "rock 'n' roll"): no quotation opens.
    const ELISIONS: &[&str] = &["tis", "twas", "em", "til", "n", "cause", "round"];
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut before: Option<char> = None;
    for (i, c) in piece.char_indices() {
        let prev = before.replace(c);
        if !matches!(c, '\'' | '‘' | '’') {
            continue;
        }
        let rest = &piece[i + c.len_utf8()..];
        let after = rest.chars().next();
        let word = &rest[..rest
            .find(|w: char| !w.is_alphabetic())
            .unwrap_or(rest.len())];
        // Not before a digit ("the '60s") or an elision.
        let at_word_start = prev
            .is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '"' | '“'))
            && after.is_some_and(char::is_alphabetic)
            && !ELISIONS.iter().any(|e| word.eq_ignore_ascii_case(e));
        // A quotation closes after its last word's punctuation ("... guessing,' he said"); a
        // mark after a letter is a possessive ("the Browns' company") and closes nothing.
        let at_word_end = prev.is_some_and(|b| matches!(b, '.' | ',' | '!' | '?'))
            && after.is_none_or(|a| {
                a.is_whitespace() || matches!(a, '.' | ',' | ';' | ':' | ')' | '"' | '”')
            });
        match open {
            None if c != '’' && at_word_start => open = Some(i),
            Some(a) if c != '‘' && at_word_end => {
                out.push((a, i));
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Does `word`, before a full stop in a quotation, not end a sentence?
fn abbreviation_in_quote(word: &str) -> bool {
    // "then-Gov." is "Gov.".
    let word = word.rsplit('-').next().unwrap_or(word);
    let lowered = word.to_lowercase();
    let title = NAME_TITLES.iter().any(|t| {
        t.strip_suffix('.')
            .is_some_and(|t| t.eq_ignore_ascii_case(word))
    });
    word.chars().count() == 1
        || word.contains('.')
        || title
        || QUOTE_ABBREVIATIONS.contains(&lowered.as_str())
        || MONTH_SHORT_FORMS.contains(&lowered.as_str())
        || QUOTE_ABBREVIATIONS_AS_WRITTEN.contains(&word)
}

/// sentencex never ends a sentence inside a balanced quotation, so a quoted passage of several
/// sentences stays one (“There is a fundamental rule in journalism. That is double-checking,
/// and in this case it was not done,” the spokesman said.): about 3% of the sentences of
/// FNC-1's train bodies, each carrying two or more claims as one. So each span is cut
/// after a sentence end inside a quotation (or before one that opens a quotation), where
/// the next word is capitalised, the word before is no abbreviation, and both pieces keep at
/// least three and two words ("No. I never said that" and "I did it. Really." stay whole).
///
/// Returns the byte offsets in `piece` of those cuts, each just after the stop.
fn quote_cuts(piece: &str) -> Vec<usize> {
    let quotes = quotations(piece);
    if quotes.is_empty() {
        return Vec::new();
    }
    let mut cuts = Vec::new();
    let mut last = 0;
    let mut prev: Option<char> = None;
    for (i, c) in piece.char_indices() {
        let before = prev;
        prev = Some(c);
        if !matches!(c, '.' | '!' | '?') || before.is_none_or(|b| b.is_whitespace() || b == '.') {
            continue;
        }
        let after = &piece[i + 1..];
        let rest = after.trim_start();
        if rest.len() == after.len() || rest.is_empty() {
            continue;
        }
        let next_at = piece.len() - rest.len();
        let inside = quotes.iter().any(|&(a, b)| a < i && i < b);
        let opens = quotes.iter().any(|&(a, _)| a == next_at);
        if !inside && !opens {
            continue;
        }
        if c == '.' {
            let word = piece[last..i]
                .split_whitespace()
                .next_back()
                .unwrap_or("")
                .trim_start_matches(['"', '“', '(', '[', '\'', '‘']);
            if abbreviation_in_quote(word) {
                continue;
            }
        }
        let next_word = rest.trim_start_matches(['"', '“', '\'', '‘']);
        let mut chars = next_word.chars();
        let capitalised = match (chars.next(), chars.next()) {
            (Some('I'), None) => true,
            (Some(a), Some(b)) => {
                a.is_uppercase()
                    && (b.is_lowercase()
                        || b == '\''
                        || b == '’'
                        || (matches!(a, 'I' | 'A') && b == ' '))
            }
            _ => false,
        };
        if !capitalised {
            continue;
        }
        let cut = i + 1;
        if piece[last..cut].split_whitespace().count() >= 3
            && piece[cut..].split_whitespace().count() >= 2
        {
            cuts.push(cut);
            last = cut;
        }
    }
    cuts
}

/// Words sentencex takes for abbreviations that in news end sentences as often as not ("rose
/// 3.5 percent in May. Economists ...", "No. Numerous reports ...", "paid to Yahoo. Its
/// shareholders ..."): a boundary after one, before a capitalised word, is restored.
const FALSE_ABBREVIATIONS: &[&str] = &["May.", "No.", "Yahoo.", "Fed."];

/// Byte offsets in `piece` just after a [`FALSE_ABBREVIATIONS`] word followed by a space and a
/// word that starts with a capital and goes on in lower case (not "No. 2", not "May. AP").
fn false_abbreviation_cuts(piece: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = FALSE_ABBREVIATIONS
        .iter()
        .flat_map(|w| {
            piece.match_indices(w).filter_map(move |(at, _)| {
                let word_start = at == 0 || piece[..at].ends_with(char::is_whitespace);
                let rest = piece[at + w.len()..].strip_prefix(' ')?;
                let mut c = rest.chars();
                let capitalised = c.next().is_some_and(char::is_uppercase)
                    && c.next().is_some_and(char::is_lowercase);
                (word_start && capitalised).then_some(at + w.len())
            })
        })
        .collect();
    cuts.sort_unstable();
    cuts
}

/// Each span cut where `cuts` says in its text (ascending offsets, each just after a stop); the
/// piece after a cut starts past the whitespace there.
fn split_spans(
    text: &str,
    spans: Vec<(usize, usize)>,
    cuts: impl Fn(&str) -> Vec<usize>,
) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let mut from = s;
        for cut in cuts(&text[s..e]) {
            out.push((from, s + cut));
            let rest = &text[s + cut..e];
            from = s + cut + (rest.len() - rest.trim_start().len());
        }
        out.push((from, e));
    }
    out
}

/// Titles that stand before a name and do not end a sentence in news prose ("He met Ms.
/// Clinton", "Ft. Devens", "Sgt. At Arms Kevin Vickers", "the Dr. Who series"); sentencex
/// knows "Mr." and "Mrs." but splits after these.
const NAME_TITLES: &[&str] = &[
    "Ms.", "Dr.", "Sgt.", "Ft.", "Lt.", "Col.", "Capt.", "Cpl.", "Gov.", "Sen.", "Rep.", "Prof.",
    "Rev.", "Gen.", "Maj.", "Adm.", "Det.", "Supt.", "Insp.", "Ofc.",
];

/// What may follow "a.m." or "p.m." in the same sentence: a weekday (`lexicon::WEEKDAYS`) or a
/// time zone.
pub(super) const TIME_ZONES: &[&str] = &[
    "et", "est", "edt", "ct", "cst", "cdt", "mt", "mst", "mdt", "pt", "pst", "pdt", "gmt", "bst",
    "utc", "cet", "local",
];

/// Verbs of an attribution that follows a quoted question or exclamation ("Will it work?"
/// Forte said.).
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "asked",
    "asks",
    "told",
    "added",
    "adds",
    "wrote",
    "writes",
    "tweeted",
    "explained",
    "replied",
    "insisted",
    "continued",
    "recalled",
    "wondered",
    "shouted",
    "yelled",
    "joked",
    "exclaimed",
    "cried",
    "screamed",
];

/// Joins sentences sentencex split where news prose does not end one: after a title before a
/// name, after "a.m."/"p.m." before a weekday, a time zone or a lower-case word, a dateline
/// before its "(AP) —", a list number before its item ("1." "Finland"), and a quoted question
/// or exclamation before its short attribution. Each join keeps the text between the two.
fn repair_boundaries(text: &str, spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        // Never past the length cap: the pieces of a run cut for length stay cut.
        if let Some(last) = out.last_mut()
            && e - last.0 <= MAX_SENTENCE_BYTES
            && joins(&text[last.0..last.1], &text[s..e])
        {
            last.1 = e;
            continue;
        }
        out.push((s, e));
    }
    out
}

/// Does `next` continue the sentence `prev`?
fn joins(prev: &str, next: &str) -> bool {
    let mut back = prev.split_whitespace().rev();
    let title = back
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '"', '“', '\'', '‘']);
    let last_word = title.to_lowercase();
    // "Sunset Dr." is a street, "30 ft." a length: a title follows neither a name nor a number.
    let before = back.next().unwrap_or("");
    let after_name = before.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && !before.ends_with([':', ',', ';']);
    let first = next.split_whitespace().next().unwrap_or("");
    let first_bare = first
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let starts_upper = next.chars().next().is_some_and(char::is_uppercase);
    let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    if NAME_TITLES.contains(&title) && !after_name && starts_upper {
        return true;
    }
    if (last_word == "a.m." || last_word == "p.m.")
        && (starts_lower
            || (WEEKDAYS.contains(&first_bare.as_str())
                || TIME_ZONES.contains(&first_bare.as_str())))
    {
        return true;
    }
    // "WOBURN, Mass." "(AP) — A 113-year-old ...": a dateline and its agency.
    let words = prev.split_whitespace().count();
    if words <= 5
        && next.starts_with('(')
        && next.split_once(')').is_some_and(|(tag, rest)| {
            tag.len() <= 24 && rest.trim_start().starts_with(['—', '–', '-'])
        })
    {
        return true;
    }
    // "Sen. Kelly Ayotte, R-N." "H., had worked ...": a state's initials ("N.H.", "N.Y.")
    // cut after the first; the piece after is one more initial and goes on in lower case.
    let initial_end = title
        .rsplit(['-', '.'])
        .nth(1)
        .is_some_and(|w| w.len() == 1 && w.starts_with(|c: char| c.is_ascii_uppercase()));
    let mut first_chars = first.chars();
    let next_initial = matches!(
        (first_chars.next(), first_chars.next(), first_chars.next()),
        (Some(a), Some('.'), c) if a.is_ascii_uppercase() && c.is_none_or(|c| matches!(c, ',' | ';' | ':' | ')'))
    );
    let goes_on_lower = next
        .split_whitespace()
        .nth(1)
        .is_some_and(|w| w.starts_with(char::is_lowercase));
    if initial_end && next_initial && goes_on_lower {
        return true;
    }
    // "1." "Finland": a list number before its item.
    if let Some(n) = prev.strip_suffix('.')
        && (1..=3).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return true;
    }
    // "Will it work?" "Forte said."
    let quoted_question = prev
        .strip_suffix(['"', '”', '\'', '’'])
        .is_some_and(|p| p.ends_with(['?', '!']));
    // Only a bare attribution, the verb first or last ("Forte said.", "said Mr. Abana."): "Will
    // it work?" "Engineers said the tests passed." are two sentences.
    let verb = |w: Option<&str>| {
        w.is_some_and(|w| SPEECH_VERBS.contains(&w.trim_end_matches('.').to_lowercase().as_str()))
    };
    let mut ws = next.split_whitespace();
    let attribution = next.split_whitespace().count() <= 5
        && next.ends_with('.')
        && (verb(ws.next()) || verb(ws.next_back()));
    quoted_question && attribution
}
