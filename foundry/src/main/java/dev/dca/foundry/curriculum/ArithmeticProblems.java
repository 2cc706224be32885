package dev.dca.foundry.curriculum;

import dev.dca.foundry.curriculum.Vocabulary.Person;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.dca.foundry.curriculum.Vocabulary.capitalize;

/**
 * GSM8K-style word problems with 1 to 4 operations, solved in short steps. Each step is one line carrying a
 * calculator annotation {@code <<a*b=c>>} with its result; the last line is {@code #### N}. Every number is an
 * integer and every division is exact, so the annotations evaluate exactly.
 *
 * <p>Problems come from template families; {@link #HOLDOUT_FAMILIES} are never used for training, so a score on
 * them measures whether the model composes the operations it learned in surface forms it has not seen.
 */
public final class ArithmeticProblems {

    /** A generated problem: the question, the solution text (steps and {@code #### N}), the answer and the number of operations. */
    public record Problem(String family, String question, String solution, long answer, int operations) {}

    private record Family(String name, Function<Draw, Problem> maker) {}

    /** Families kept out of training for {@code builtin:holdout}. */
    public static final List<String> HOLDOUT_FAMILIES = List.of("perimeter", "wages", "eat-and-share", "tank");

    private static final List<Family> FAMILIES = List.of(
            new Family("gain", ArithmeticProblems::gain),
            new Family("lose", ArithmeticProblems::lose),
            new Family("groups", ArithmeticProblems::groups),
            new Family("share", ArithmeticProblems::share),
            new Family("events", ArithmeticProblems::events),
            new Family("shopping", ArithmeticProblems::shopping),
            new Family("change", ArithmeticProblems::change),
            new Family("savings", ArithmeticProblems::savings),
            new Family("travel", ArithmeticProblems::travel),
            new Family("times-as-many", ArithmeticProblems::timesAsMany),
            new Family("reading", ArithmeticProblems::reading),
            new Family("harvest", ArithmeticProblems::harvest),
            new Family("tickets", ArithmeticProblems::tickets),
            new Family("fewer", ArithmeticProblems::fewer),
            new Family("boxes-shared", ArithmeticProblems::boxesShared),
            new Family("age", ArithmeticProblems::age),
            // the operation shapes of the held-out families, in other scenes and words (see the note above them)
            new Family("mixed-bags", ArithmeticProblems::mixedBags),
            new Family("border", ArithmeticProblems::border),
            new Family("machine", ArithmeticProblems::machine),
            new Family("bake-and-pack", ArithmeticProblems::bakeAndPack),
            new Family("trip", ArithmeticProblems::trip),
            // held out
            new Family("perimeter", ArithmeticProblems::perimeter),
            new Family("wages", ArithmeticProblems::wages),
            new Family("eat-and-share", ArithmeticProblems::eatAndShare),
            new Family("tank", ArithmeticProblems::tank));

    private static final Map<String, Family> BY_NAME = FAMILIES.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(Family::name, f -> f));

    private ArithmeticProblems() {}

    /** Names of the families used for training. */
    public static List<String> trainingFamilies() {
        return FAMILIES.stream().map(Family::name).filter(n -> !HOLDOUT_FAMILIES.contains(n)).toList();
    }

    /** A problem from a random training family. */
    static Problem training(Draw d) {
        List<String> names = trainingFamilies();
        return of(names.get(d.random().nextInt(names.size())), d);
    }

    /** A problem from a random held-out family. */
    static Problem holdout(Draw d) {
        return of(HOLDOUT_FAMILIES.get(d.random().nextInt(HOLDOUT_FAMILIES.size())), d);
    }

    static Problem of(String family, Draw d) {
        Family f = BY_NAME.get(family);
        if (f == null) throw new IllegalArgumentException("unknown arithmetic family: " + family);
        return f.maker().apply(d);
    }

    /** Writes the solution one step per line; each step computes one operation with its annotation. */
    static final class Steps {
        private final List<String> lines = new ArrayList<>();
        private int operations;

        /** Appends "{before}a op b=<<a op b=c>>c{after}" and returns c. */
        long op(String before, long a, char op, long b, String after) {
            long c = switch (op) {
                case '+' -> a + b;
                case '-' -> a - b;
                case '*' -> a * b;
                case '/' -> {
                    if (b == 0 || a % b != 0) throw new IllegalStateException("inexact division " + a + "/" + b);
                    yield a / b;
                }
                default -> throw new IllegalArgumentException("operator " + op);
            };
            String expr = a + String.valueOf(op) + b;
            lines.add(before + expr + "=<<" + expr + "=" + c + ">>" + c + after);
            operations++;
            return c;
        }

        Problem done(String family, String question, long answer) {
            return new Problem(family, question, String.join("\n", lines) + "\n#### " + answer, answer, operations);
        }
    }

    /** A number range drawn per problem, so the model sees small and large numbers. */
    private static int upTo(Draw d) {
        return d.pick(12, 20, 50, 100, 250);
    }

    // ---- training families ----

    private static Problem gain(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS);
        int a = d.between(2, upTo(d)), b = d.between(2, upTo(d));
        String verb = d.pick("buys", "finds", "gets", "picks up", "is given", "wins");
        String q = switch (d.between(0, 3)) {
            case 0 -> p.name() + " has " + a + " " + t + " and " + verb + " " + b + " more. How many " + t + " does " + p.subject() + " have now?";
            case 1 -> p.name() + " had " + a + " " + t + ". Then " + p.subject() + " " + verb + " " + b + " more " + t + ". How many " + t + " does " + p.subject() + " have?";
            case 2 -> "There are " + a + " " + t + " in a box. " + p.name() + " puts in " + b + " more. How many " + t + " are in the box now?";
            default -> p.name() + " collects " + t + ". " + capitalize(p.subject()) + " has " + a + " and " + verb + " another " + b + ". How many " + t + " does " + p.name() + " have in total?";
        };
        Steps s = new Steps();
        long r = s.op(p.name() + " has ", a, '+', b, " " + t + " now.");
        return s.done("gain", q, r);
    }

    private static Problem lose(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS);
        int b = d.between(1, upTo(d)), a = b + d.between(1, upTo(d));
        String verb = d.pick("gives away", "loses", "sells", "eats", "uses");
        String q = d.chance(0.5)
                ? p.name() + " has " + a + " " + t + " and " + verb + " " + b + " of them. How many " + t + " does " + p.subject() + " have left?"
                : p.name() + " had " + a + " " + t + ". " + capitalize(p.subject()) + " " + verb + " " + b + ". How many " + t + " are left?";
        Steps s = new Steps();
        long r = s.op(p.name() + " has ", a, '-', b, " " + t + " left.");
        return s.done("lose", q, r);
    }

    private static Problem groups(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS), c = d.pick(Vocabulary.CONTAINERS);
        int n = d.between(2, 12), k = d.between(2, d.pick(10, 25, 60));
        String q = d.chance(0.5)
                ? p.name() + " has " + n + " " + c + " with " + k + " " + t + " in each. How many " + t + " does " + p.subject() + " have?"
                : "Each of the " + n + " " + c + " holds " + k + " " + t + ". How many " + t + " are there altogether?";
        Steps s = new Steps();
        long r = s.op("There are ", n, '*', k, " " + t + ".");
        return s.done("groups", q, r);
    }

    private static Problem share(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS);
        int n = d.between(2, 10), each = d.between(2, d.pick(10, 30, 90)), a = n * each;
        String q = d.chance(0.5)
                ? p.name() + " shares " + a + " " + t + " equally among " + n + " friends. How many " + t + " does each friend get?"
                : a + " " + t + " are split into " + n + " equal piles. How many " + t + " are in each pile?";
        Steps s = new Steps();
        long r = s.op("Each gets ", a, '/', n, " " + t + ".");
        return s.done("share", q, r);
    }

    private static Problem events(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS);
        int ops = d.between(2, 4);
        long have = d.between(5, upTo(d));
        StringBuilder q = new StringBuilder(p.name() + " starts with " + have + " " + t + ".");
        Steps s = new Steps();
        for (int i = 0; i < ops; i++) {
            boolean up = have < 3 || d.chance(0.55);
            if (up) {
                int b = d.between(1, upTo(d));
                q.append(' ').append(capitalize(p.subject())).append(' ').append(d.pick("buys", "finds", "gets", "receives")).append(' ').append(b).append(" more.");
                have = s.op("After that " + p.subject() + " has ", have, '+', b, " " + t + ".");
            } else {
                int b = d.between(1, (int) Math.min(have - 1, 200));
                q.append(' ').append(capitalize(p.subject())).append(' ').append(d.pick("gives away", "loses", "sells", "uses")).append(' ').append(b).append('.');
                have = s.op("After that " + p.subject() + " has ", have, '-', b, " " + t + ".");
            }
        }
        q.append(" How many ").append(t).append(" does ").append(p.subject()).append(" have at the end?");
        return s.done("events", q.toString(), have);
    }

    private static Problem shopping(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int kinds = d.between(1, 2);
        List<String> items = new ArrayList<>(Vocabulary.SHOP_ITEMS);
        java.util.Collections.shuffle(items, d.random());
        StringBuilder q = new StringBuilder(p.name() + " buys ");
        Steps s = new Steps();
        long total = 0;
        List<Long> costs = new ArrayList<>();
        for (int i = 0; i < kinds; i++) {
            int n = d.between(2, 9), price = d.between(2, d.pick(9, 20, 45));
            if (i > 0) q.append(" and ");
            q.append(n).append(' ').append(items.get(i)).append(" for $").append(price).append(" each");
            costs.add(s.op("The " + items.get(i) + " cost ", n, '*', price, " dollars."));
        }
        total = costs.getFirst();
        if (kinds == 2) total = s.op("Together they cost ", costs.get(0), '+', costs.get(1), " dollars.");
        q.append(". How much does ").append(p.subject()).append(" spend in dollars?");
        return s.done("shopping", q.toString(), total);
    }

    private static Problem change(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String item = d.pick(Vocabulary.SHOP_ITEMS);
        int n = d.between(2, 8), price = d.between(2, 12), bill = d.pick(100, 200, 500);
        if (n * price >= bill) bill = 500;
        String q = p.name() + " buys " + n + " " + item + " at $" + price + " each and pays with a $" + bill + " bill. How much change does " + p.subject() + " get in dollars?";
        Steps s = new Steps();
        long cost = s.op("The " + item + " cost ", n, '*', price, " dollars.");
        long r = s.op("The change is ", bill, '-', cost, " dollars.");
        return s.done("change", q, r);
    }

    private static Problem savings(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int a = d.between(2, 40), w = d.between(2, 12);
        int b = d.between(1, a * w - 1);
        String period = d.pick("week", "month", "day");
        String q = p.name() + " saves $" + a + " every " + period + " for " + w + " " + period + "s. Then " + p.subject() + " spends $" + b + " on a present. How many dollars does " + p.subject() + " have left?";
        Steps s = new Steps();
        long saved = s.op(capitalize(p.subject()) + " saves ", a, '*', w, " dollars.");
        long r = s.op(capitalize(p.subject()) + " has ", saved, '-', b, " dollars left.");
        return s.done("savings", q, r);
    }

    private static Problem travel(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int s1 = d.between(3, 80), h1 = d.between(1, 6), s2 = d.between(3, 80), h2 = d.between(1, 6);
        String how = d.pick("drives", "cycles", "rides", "walks");
        String q = p.name() + " " + how + " at " + s1 + " km per hour for " + h1 + " hours, then at " + s2 + " km per hour for " + h2 + " hours. How many km does " + p.subject() + " travel?";
        Steps s = new Steps();
        long a = s.op("First " + p.subject() + " travels ", s1, '*', h1, " km.");
        long b = s.op("Then " + p.subject() + " travels ", s2, '*', h2, " km.");
        long r = s.op("In all " + p.subject() + " travels ", a, '+', b, " km.");
        return s.done("travel", q, r);
    }

    private static Problem timesAsMany(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE), o = d.pick(Vocabulary.PEOPLE);
        if (o == p) o = Vocabulary.PEOPLE.get((Vocabulary.PEOPLE.indexOf(p) + 1) % Vocabulary.PEOPLE.size());
        String t = d.pick(Vocabulary.THINGS);
        int a = d.between(2, 40), k = d.between(2, 5);
        String q = p.name() + " has " + a + " " + t + ". " + o.name() + " has " + k + " times as many. How many " + t + " do they have together?";
        Steps s = new Steps();
        long b = s.op(o.name() + " has ", a, '*', k, " " + t + ".");
        long r = s.op("Together they have ", a, '+', b, " " + t + ".");
        return s.done("times-as-many", q, r);
    }

    private static Problem reading(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int r = d.between(5, 40), days = d.between(2, 9), total = r * days + d.between(1, 300);
        String q = "A book has " + total + " pages. " + p.name() + " reads " + r + " pages a day for " + days + " days. How many pages are left to read?";
        Steps s = new Steps();
        long read = s.op(capitalize(p.subject()) + " reads ", r, '*', days, " pages.");
        long left = s.op("There are ", total, '-', read, " pages left.");
        return s.done("reading", q, left);
    }

    private static Problem harvest(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String crop = d.pick(Vocabulary.CROPS);
        int rows = d.between(2, 9), plants = d.between(2, 12), pack = d.pick(2, 3, 4, 5, 6);
        int fruits = pack * d.between(1, 6);
        boolean packs = d.chance(0.6);
        String q = p.name() + " has " + rows + " rows of " + crop + " plants with " + plants + " plants in each row. Each plant gives " + fruits + " " + crop + "s."
                + (packs ? " " + capitalize(p.subject()) + " packs them in bags of " + pack + ". How many bags does " + p.subject() + " fill?"
                        : " How many " + crop + "s does " + p.subject() + " pick?");
        Steps s = new Steps();
        long all = s.op("There are ", rows, '*', plants, " plants.");
        long got = s.op("They give ", all, '*', fruits, " " + crop + "s.");
        if (packs) got = s.op("That fills ", got, '/', pack, " bags.");
        return s.done("harvest", q, got);
    }

    private static Problem tickets(Draw d) {
        int adults = d.between(1, 6), kids = d.between(1, 8), pa = d.between(5, 40), pk = d.between(2, pa);
        String place = d.pick("the zoo", "the museum", "a concert", "the cinema", "a water park");
        String q = "Tickets to " + place + " cost $" + pa + " for adults and $" + pk + " for children. How much do " + adults + " adults and " + kids + " children pay in dollars?";
        Steps s = new Steps();
        long a = s.op("The adults pay ", adults, '*', pa, " dollars.");
        long k = s.op("The children pay ", kids, '*', pk, " dollars.");
        long r = s.op("Together they pay ", a, '+', k, " dollars.");
        return s.done("tickets", q, r);
    }

    private static Problem fewer(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE), o = d.pick(Vocabulary.PEOPLE);
        if (o == p) o = Vocabulary.PEOPLE.get((Vocabulary.PEOPLE.indexOf(p) + 3) % Vocabulary.PEOPLE.size());
        String t = d.pick(Vocabulary.THINGS);
        int a = d.between(5, upTo(d) + 5), b = d.between(1, a - 1);
        String q = p.name() + " has " + a + " " + t + ". " + o.name() + " has " + b + " fewer " + t + " than " + p.name() + ". How many " + t + " do they have in total?";
        Steps s = new Steps();
        long ob = s.op(o.name() + " has ", a, '-', b, " " + t + ".");
        long r = s.op("In total they have ", a, '+', ob, " " + t + ".");
        return s.done("fewer", q, r);
    }

    private static Problem boxesShared(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS), c = d.pick(Vocabulary.CONTAINERS);
        int friends = d.between(2, 8), each = d.between(1, 15), perBox = friends * d.between(1, 4);
        int boxes = Math.max(1, friends * each / perBox);
        int total = boxes * perBox;
        String q = p.name() + " buys " + boxes + " " + c + " of " + t + " with " + perBox + " in each and shares them equally among " + friends + " friends. How many " + t + " does each friend get?";
        Steps s = new Steps();
        long all = s.op("There are ", boxes, '*', perBox, " " + t + ".");
        long r = s.op("Each friend gets ", all, '/', friends, " " + t + ".");
        assert all == total;
        return s.done("boxes-shared", q, r);
    }

    private static Problem age(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE), o = d.pick(Vocabulary.PEOPLE);
        if (o == p) o = Vocabulary.PEOPLE.get((Vocabulary.PEOPLE.indexOf(p) + 5) % Vocabulary.PEOPLE.size());
        int a = d.between(3, 40), b = d.between(1, 30), y = d.between(1, 20);
        String q = p.name() + " is " + a + " years old. " + o.name() + " is " + b + " years older than " + p.name() + ". How old will " + o.name() + " be in " + y + " years?";
        Steps s = new Steps();
        long now = s.op(o.name() + " is ", a, '+', b, " years old.");
        long r = s.op("In " + y + " years " + o.subject() + " will be ", now, '+', y, " years old.");
        return s.done("age", q, r);
    }

    // ---- training families that share an operation shape with a held-out family, never its scene or words ----
    // Without them no trained family adds then multiplies or subtracts then divides, so a held-out score would
    // measure nothing the model could have learned (pass@8 was 0 of 40 on the stage-3 model).

    /** (a+b)*n, the shape of perimeter with the count given. */
    private static Problem mixedBags(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        List<String> things = new ArrayList<>(Vocabulary.THINGS);
        java.util.Collections.shuffle(things, d.random());
        String c = d.pick(Vocabulary.CONTAINERS);
        int a = d.between(1, 20), b = d.between(1, 20), n = d.between(2, 9);
        String q = d.chance(0.5)
                ? p.name() + " fills " + n + " " + c + ". Each one gets " + a + " " + things.get(0) + " and " + b + " " + things.get(1) + ". How many things does " + p.subject() + " put in the " + c + " altogether?"
                : "One of " + p.name() + "'s " + c + " holds " + a + " " + things.get(0) + " and " + b + " " + things.get(1) + ". " + capitalize(p.subject()) + " has " + n + " " + c + " like that. How many things are in them?";
        Steps s = new Steps();
        long one = s.op("One holds ", a, '+', b, " things.");
        long r = s.op("All of them hold ", one, '*', n, " things.");
        return s.done("mixed-bags", q, r);
    }

    /** (l+w)*2, the shape of perimeter: the edge of a rectangle is two lengths and two widths. */
    private static Problem border(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String thing = d.pick("rug", "table cloth", "poster", "photo", "blanket", "flag", "card");
        String trim = d.pick("ribbon", "lace", "tape", "braid", "string");
        String unit = d.pick("cm", "inches", "feet");
        int l = d.between(3, 60), w = d.between(2, 40);
        String place = d.pick("park", "pool", "playground", "parking lot", "field");
        String q = switch (d.between(0, 2)) {
            case 0 -> p.name() + " sews " + trim + " along every edge of a " + thing + " that is " + l + " " + unit + " by " + w + " " + unit + ". How many " + unit + " of " + trim + " does " + p.subject() + " use?";
            case 1 -> "A " + thing + " measures " + l + " " + unit + " by " + w + " " + unit + ". How many " + unit + " of " + trim + " does " + p.name() + " need to trim its border?";
            default -> {
                unit = "meters";
                yield "A rectangular " + place + " is " + l + " meters long and " + w + " meters wide. " + p.name() + " " + d.pick("walks", "jogs", "skates") + " once along its whole edge. How many meters is that?";
            }
        };
        Steps s = new Steps();
        long half = s.op("A long side and a short side are ", l, '+', w, " " + unit + ".");
        long r = s.op("Once around is ", half, '*', 2, " " + unit + ".");
        return s.done("border", q, r);
    }

    /** (a*b)*c with a rate, the shape of wages. */
    private static Problem machine(Draw d) {
        String item = d.pick("toys", "cups", "bottles", "bricks", "buttons", "socks");
        String what = d.pick("machine", "printer", "robot", "press");
        int rate = d.between(2, 30), h = d.between(2, 9), days = d.between(2, 7);
        Steps s = new Steps();
        String q;
        if (d.chance(0.4)) {
            Person p = d.pick(Vocabulary.PEOPLE);
            String boat = d.pick("kayak", "bike", "boat", "tent", "scooter");
            q = "Renting a " + boat + " costs $" + rate + " per hour. " + p.name() + " rents one for " + h + " hours a day on " + days + " days. How much does " + p.subject() + " pay in dollars?";
            long hours = s.op(capitalize(p.subject()) + " rents it for ", h, '*', days, " hours.");
            long r = s.op(capitalize(p.subject()) + " pays ", hours, '*', rate, " dollars.");
            return s.done("machine", q, r);
        }
        q = d.chance(0.5)
                ? "A " + what + " makes " + rate + " " + item + " per hour. It runs for " + h + " hours each day for " + days + " days. How many " + item + " does it make?"
                : "A " + what + " runs " + h + " hours daily for " + days + " days and turns out " + rate + " " + item + " every hour. How many " + item + " is that?";
        long hours = s.op("It runs ", h, '*', days, " hours.");
        long r = s.op("It makes ", hours, '*', rate, " " + item + ".");
        return s.done("machine", q, r);
    }

    /** (a-b)/n by group size, the shape of eat-and-share. */
    private static Problem bakeAndPack(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String baked = d.pick("muffins", "rolls", "cookies", "buns", "pies", "tarts");
        int per = d.between(2, 8), bags = d.between(1, 12), kept = d.between(1, 15), made = per * bags + kept;
        if (d.chance(0.4)) {
            String t = d.pick(Vocabulary.THINGS);
            String who = d.pick("sister", "brother", "teacher", "neighbour", "cousin");
            String q = p.name() + " has " + made + " " + t + ". " + capitalize(p.subject()) + " gives " + kept + " to " + p.possessive() + " " + who
                    + " and shares the rest equally among " + per + " friends. How many " + t + " does each friend get?";
            Steps s = new Steps();
            long rest = s.op("There are ", made, '-', kept, " " + t + " left.");
            long r = s.op("Each friend gets ", rest, '/', per, " " + t + ".");
            return s.done("bake-and-pack", q, r);
        }
        boolean home = d.chance(0.5);
        String c = home ? "bags" : "boxes";
        String q = home
                ? p.name() + " bakes " + made + " " + baked + ". " + capitalize(p.subject()) + " keeps " + kept + " at home and packs the others in bags of " + per + ". How many bags does " + p.subject() + " pack?"
                : "A bakery makes " + made + " " + baked + " and sells " + kept + " in the morning. The remaining " + baked + " go into boxes of " + per + ". How many boxes are filled?";
        Steps s = new Steps();
        long rest = s.op("There are ", made, '-', kept, " " + baked + " to pack.");
        long r = s.op("They fill ", rest, '/', per, " " + c + ".");
        return s.done("bake-and-pack", q, r);
    }

    /** (a-b)/r with a rate, the shape of tank. */
    private static Problem trip(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String how = d.pick("drives", "cycles", "rides", "walks");
        int speed = d.between(3, 80), hours = d.between(1, 9), done = d.between(0, 300), length = done + speed * hours;
        String[] units = switch (d.between(0, 2)) {
            case 0 -> new String[] {"A trip is " + length + " km long. " + p.name() + " has already gone " + done + " km and " + how + " " + speed
                    + " km each hour. How many more hours does the trip take?", "km", "hours"};
            case 1 -> new String[] {"A " + d.pick("bike", "guitar", "game", "telescope") + " costs $" + length + ". " + p.name() + " has saved $" + done
                    + " and saves $" + speed + " each week. How many more weeks until " + p.subject() + " can buy it?", "dollars", "weeks"};
            default -> new String[] {"A book has " + length + " pages. " + p.name() + " has read " + done + " pages and reads " + speed
                    + " pages each day. How many more days until " + p.subject() + " finishes it?", "pages", "days"};
        };
        String q = units[0];
        Steps s = new Steps();
        long left = s.op("There are ", length, '-', done, " " + units[1] + " left.");
        long r = s.op("That takes ", left, '/', speed, " " + units[2] + ".");
        return s.done("trip", q, r);
    }

    // ---- held-out families: known operations in surface forms training never shows ----

    private static Problem perimeter(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int l = d.between(3, 60), w = d.between(2, 40);
        String q = p.name() + "'s garden is a rectangle " + l + " meters long and " + w + " meters wide. How many meters of fence does " + p.subject() + " need to go all the way around it?";
        Steps s = new Steps();
        long half = s.op("One length and one width make ", l, '+', w, " meters.");
        long r = s.op("The fence is ", half, '*', 2, " meters.");
        return s.done("perimeter", q, r);
    }

    private static Problem wages(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        int h = d.between(2, 9), days = d.between(2, 7), pay = d.between(5, 30);
        String q = p.name() + " works " + h + " hours a day for " + days + " days and earns $" + pay + " an hour. How much does " + p.subject() + " earn in dollars?";
        Steps s = new Steps();
        long hours = s.op(capitalize(p.subject()) + " works ", h, '*', days, " hours.");
        long r = s.op(capitalize(p.subject()) + " earns ", hours, '*', pay, " dollars.");
        return s.done("wages", q, r);
    }

    private static Problem eatAndShare(Draw d) {
        Person p = d.pick(Vocabulary.PEOPLE);
        String t = d.pick(Vocabulary.THINGS);
        int kids = d.between(2, 8), each = d.between(1, 12), eat = d.between(1, 15), a = kids * each + eat;
        String q = "A jar holds " + a + " " + t + ". " + p.name() + " takes " + eat + " for " + p.object() + "self and divides the rest fairly between " + kids + " children. How many " + t + " does each child receive?";
        Steps s = new Steps();
        long rest = s.op("The rest is ", a, '-', eat, " " + t + ".");
        long r = s.op("Each child receives ", rest, '/', kids, " " + t + ".");
        return s.done("eat-and-share", q, r);
    }

    private static Problem tank(Draw d) {
        int rate = d.between(2, 15), minutes = d.between(2, 30), now = d.between(0, 200), cap = now + rate * minutes;
        String q = "A water tank can hold " + cap + " liters and already contains " + now + " liters. A pump adds " + rate + " liters every minute. How many minutes until the tank is full?";
        Steps s = new Steps();
        long room = s.op("The tank still needs ", cap, '-', now, " liters.");
        long r = s.op("Filling takes ", room, '/', rate, " minutes.");
        return s.done("tank", q, r);
    }
}
