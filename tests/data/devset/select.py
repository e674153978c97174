#!/usr/bin/env python3
"""Pick the stories and bodies of the hand-labelled development set from FNC-1 *train*.

A story is a connected component of headlines and bodies linked by a related stance
(agree/disagree/discuss). For each chosen story we keep a few bodies of moderate length: at
least one the FNC-1 labels `disagree` where there is one, the rest `agree`/`discuss`, shortest
first, so the set has denials and cross-outlet restatements. Deterministic: same files, same
choice. Writes documents.jsonl (one body per line, with its story and FNC-1 stances).

Usage: python3 tests/data/devset/select.py ../shared/data/fnc1 > tests/data/devset/documents.jsonl
Never point this at the competition-test files: those are acceptance data.
"""
import collections
import csv
import json
import sys

# (story id, a headline of the component that identifies it, split)
STORIES = [
    ("managua-meteorite", "Small Meteorite Hits Managua", "dev"),
    ("bale-steve-jobs", "Christian Bale Is Steve Jobs", "test"),
    ("homeless-video-staged", "Eyewitness Says Viral Video of Homeless Man Was Staged", "dev"),
    ("boko-haram-ceasefire", "Boko Haram denies it has agreed ceasefire", "test"),
    ("mexico-mass-grave", "Mexico Says Students Not Among Dead in Mass Grave", "dev"),
    ("lebanon-isis-kin", "Lebanon confirms holding ISIS chief’s kin", "test"),
    ("batmobile-stolen", "Batmobile wasn't stolen: Cops", "dev"),
    ("banksy-arrested", "No, Banksy hasn’t been arrested", "test"),
    # Train stories: labelled the same way, used only to train the same-claim judge and the
    # stance/confidence heads; never to choose a threshold or report a figure.
    ("michael-brown-audio", "Michael Brown shooting audio caught on tape?", "train"),
    ("isis-beheads-journalist", "ISIS Beheads American Journalist", "train"),
    ("gill-rosenberg-kobane", "Kurds Deny Gill Rosenberg was in Kobane", "train"),
    ("weatherman-peeing", "Weatherman caught peeing live on camera", "train"),
    ("somali-leader-airstrike", "Somali terrorist leader dead after US airstrike", "train"),
    ("ottawa-gunman", "Ottawa Gunman Identified As Michael Zehaf-Bibeau", "train"),
    ("kid-72-million", "This Kid Made $72 Million During Lunch", "train"),
    ("putin-bird-poop", "Vladimir Putin Bird Poop Video is Fake", "train"),
    ("tiger-woods-ban", "Tour, agent: Tiger Woods not banned", "train"),
    ("culkin-dead", "Macaulay Culkin Dead?", "train"),
    ("isil-border", "Homeland Security: No ISIL fighters on U.S. border", "train"),
    ("bugatti-vandal", "Vandal paints penis on £1.5million Bugatti Veyron", "train"),
    ("ebola-iraq", "WHO says reports of suspected Ebola cases in Iraq are untrue", "train"),
    ("bali-spider", "Bali spider burrows under Aussie’s chest", "train"),
    ("priest-met-god", "Priest who died for 48 minutes says he met God and she’s a woman", "train"),
    ("big-bank-hank", "Big Bank Hank, US rapper and Sugarhill Gang founder member, dies at 57", "train"),
    ("pregnant-school-trip", "Seven teenage girls get pregnant on school trip", "train"),
    ("kim-restaurant", "Is Kim Jong-Un Really Opening a Restaurant in Scotland?", "train"),
    ("plant-zeppelin-contract", "Led Zeppelin’s Robert Plant ripped up a $924 million reunion contract", "train"),
    ("judd-nelson-dead", "Judd Nelson rebuffs Internet rumors that he died of a drug overdose.", "train"),
    ("paul-rudd-airport", "Did Paul Rudd Help Take Down Dallas Airport Homophobe?", "train"),
    ("comcast-tor", "Comcast blocks Tor", "train"),
    ("teacher-sex-tape", "Female teacher facing sack after making SEX TAPE with teenager", "train"),
    ("nasa-darkness-hoax", "NASA: Viral news on days of darkness in December is hoax", "train"),
    ("kfc-marijuana", "KFC Locations In Colorado To Begin Selling Marijuana", "train"),
    ("microsoft-daleks", "Microsoft's Silicon Valley campus now guarded by Daleks", "train"),
    ("pumpkin-spice-condom", "No, Pumpkin Spice Condoms Are Not A Real Thing", "train"),
    ("axl-rose-dead", "Axl Rose Dead? Fans Freak Out Over Death Rumors", "train"),
    ("purdon-ebola", "UPDATE: Internet report of Ebola outbreak in Purdon not true", "train"),
    ("libya-missing-planes", "Libya: Missing Libya Planes Spark Security Concerns", "train"),
    ("castro-death-rumors", "FIDEL CASTRO DEATH WATCH: RUMORS HEAT UP, CUBA DENIES", "train"),
    ("seth-rogen-woz", "Seth Rogen to play Woz in Jobs biopic", "train"),
    ("baghdadi-dead", "ISIS leader dead?", "train"),
    ("somers-hostage-raid", "Al Qaida hostage killed in raid", "train"),
    ("star-wars-date", "Star Wars VII for a New SUMMER Release Date!?", "train"),
    ("tiger-island-sale", "For sale: Tiger's former island in Sweden", "train"),
    ("white-house-fence-jumper", "Fence-jumper got farther into White House", "train"),
    ("marine-head-shot", "Marine Gets Shot in the Head, Walks Away", "train"),
    ("jihadi-john-named", "Media outlets identify 'Jihadi John'", "train"),
    ("nun-gives-birth", "Nun gives birth, intends to keep baby", "train"),
    # Four more dev stories (2026-12-01): the first dev half (98 gold pairs) was too small to
    # tell training settings apart; these choose thresholds and models too, never train.
    ("michelle-obama-saudi-tv", "Michelle Obama Not Blurred Out on Saudi TV", "dev"),
    ("kansas-city-ebola", "Hospital Officials: Kansas City Patient Not Being Treated For Ebola", "dev"),
    ("iphone-hairgate", "#Hairgate: Reports of iPhone 6 pulling out hair, beards, likely exaggerated", "dev"),
    ("banksy-charlie-hebdo", "A Bogus Banksy", "dev"),
    # Sixteen more train stories (2026-12-02). The stories left in FNC-1 train with five bodies in
    # range have no body FNC-1 labels `disagree`: these add restatements and neutral reports
    # (agree/discuss), the stance model's largest confusion.
    ("vogue-rats", "'They ate through the ceilings and pooped on the keyboards': Rats are 'taking over' Vogue's new World Trade Center office and Anna Wintour 'no longer wants to work there'", "train"),
    ("apple-watch-price", "Apple Watch Pricing to Reportedly Start at $500 for Stainless Steel, $4,000 for Gold", "train"),
    ("india-cleaver-attacker", "'Sex attacker' has penis cut off with a cleaver in India", "train"),
    ("boyfriend-penis-bin", "Boyfriend cuts off his penis and throws it in the bin after girlfriend dumps him for being bad in bed", "train"),
    ("isis-airdrop-arms", "An accidental delivery of arms to the Islamic State and the problem with airdrops", "train"),
    ("dog-suitcase", "Dog Found Abandoned With Suitcase Filled With His Belongings", "train"),
    ("kim-cheese-ankles", "Cheese addiction breaks Kim Jong-un's ankles", "train"),
    ("cpwd-absent-official", "Absent from duty for 25 years, CPWD official dismissed", "train"),
    ("abdel-bary-suspect", "Abdel Majed Abdel Bary Emerges as Suspect in Foley Beheading", "train"),
    ("saudi-snowmen-fatwa", "Saudi Arabia 'fatwa over building of snowmen'", "train"),
    ("catfish-italy", "280 Pound Catfish: Fisherman Makes Huge Catch In Italy, Catfish Could Set Record", "train"),
    ("plumber-truck-isis", "Did a plumber's pick-up truck from Texas end up carrying an anti-aircraft gun for Islamic fighters on the front lines of Syria?", "train"),
    ("canseco-shooting", "BREAKING NEWS: Baseball star Jose Canseco hurt in accidental shooting", "train"),
    ("amazon-store", "Amazon Is Going To Open A Physical Store!", "train"),
    ("mcdonalds-burger-1995", "20 year old burger? McDonald's burger purchased in 1995 hasn't aged a bit", "train"),
    ("isis-chlorine-attack", "Another ISIS Massacre: ISIS Kills 300 Iraqi Soldiers With Chlorine Gas", "train"),
    # Six more test stories (2026-12-07): four stories (118 gold pairs) could not tell models
    # apart. Rule, written before labelling: components no labelled story uses, of odd parity
    # (smallest Body ID odd: never read as FNC-1 passages by the stance pair model), sharing no
    # event or product with a labelled story; every one with a `disagree` body and four bodies
    # or more in range, then the largest without one by bodies in range.
    ("espn-all-male-panel", "ESPN to save NFL's image with all-male domestic abuse discussion", "test"),
    ("willie-nelson-dead", "Country Music Legend Willie Nelson Dies at Age 81", "test"),
    ("phelps-girlfriend", "Lady on FB: I'm 41, Intersex, and Fucked Michael Phelps on First Date", "test"),
    ("teletubbies-sun-baby", "Canterbury Christ Church University student Jess Smith, from Chatham, starred as Teletubbies' sun", "test"),
    ("lego-letter-1974", "A Letter Lego Sent to Parents in 1974 Holds an Important Message for the Parents of 2014", "test"),
    ("nyc-marijuana-tickets", "In New York City, Marijuana May Mean Ticket, Not Arrest", "test"),
    # Six more dev stories (2026-12-08): eight dev stories (413 sentences, 320 gold pairs) read
    # single runs to about +-0.03, more than most settings tried moved them. Rule, written
    # before labelling: components no labelled story uses, of odd parity (as the test stories
    # above), sharing no event, product or brand with a labelled story (which leaves out the
    # Ottawa and Apple Watch components and a woman's week in KFC, for kfc-marijuana); none of
    # those left has a body FNC-1 labels `disagree` with four bodies in range, so: every one
    # with six bodies or more in range (six).
    ("vice-ceo-dinner", "Vice Media Chief Said to Pay $300,000 for Dinner for 30", "dev"),
    ("app-store-rig", "Crank-Boosting Behind Top Apps in App Store", "dev"),
    ("russian-actor-testicles", "Russian Man Wakes Up to Find His Testicles Have Been Stolen", "dev"),
    ("widower-voicemail", "Widower Cries Tears Of Joy After Hearing Late Wife's Voice Again", "dev"),
    ("pizza-tip-2000", "Pizza delivery driver surprised with $2,000 tip", "dev"),
    ("kim-name-ban", "Kim Jong-Un 'bans the name Kim Jong-un'", "dev"),
]
BODIES_PER_STORY = 5
MAX_CHARS = 2600


def main(fnc1):
    rows = list(csv.DictReader(open(f"{fnc1}/train_stances.reconstructed.csv", encoding="utf-8")))
    bodies = {r["Body ID"]: r["articleBody"]
              for r in csv.DictReader(open(f"{fnc1}/train_bodies.csv", encoding="utf-8"))}
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    related = [r for r in rows if r["Stance"] != "unrelated"]
    for r in related:
        parent[find("H:" + r["Headline"])] = find("B:" + r["Body ID"])
    stances = collections.defaultdict(collections.Counter)
    headlines = collections.defaultdict(set)
    for r in related:
        stances[r["Body ID"]][r["Stance"]] += 1
        headlines[find("B:" + r["Body ID"])].add(r["Headline"])
    for story, headline, split in STORIES:
        comp = find("H:" + headline)
        ids = sorted({b[2:] for b in parent if b.startswith("B:") and find(b) == comp}, key=int)
        ids = [i for i in ids if 400 <= len(bodies[i]) <= MAX_CHARS]
        majority = {i: stances[i].most_common(1)[0][0] for i in ids}
        ids.sort(key=lambda i: (len(bodies[i]), int(i)))
        chosen = [i for i in ids if majority[i] == "disagree"][:1]
        for i in ids:
            if len(chosen) >= BODIES_PER_STORY:
                break
            if i not in chosen:
                chosen.append(i)
        for i in sorted(chosen, key=int):
            print(json.dumps({
                "id": f"fnc1-train-{i}",
                "story": story,
                "split": split,
                "fnc1_stances": dict(stances[i]),
                "headlines": sorted(headlines[comp])[:5],
                "text": bodies[i],
            }, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
