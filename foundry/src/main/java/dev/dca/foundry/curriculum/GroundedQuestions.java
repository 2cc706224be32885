package dev.dca.foundry.curriculum;

import dev.dca.router.GroundedPrompt;
import dev.dca.router.Passage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Questions over 1 to 4 short passages about invented places, people and things, in the router's grounded prompt
 * format ({@link GroundedPrompt#render}). The answer restates the fact and cites the number of the passage that
 * states it, e.g. {@code Velmora was founded in 1642 [2].}; when no passage states the asked fact the answer is
 * {@link GroundedPrompt#DONT_KNOW}. Everything is invented, so the model must read the sources to answer: it
 * cannot have memorised the facts.
 */
public final class GroundedQuestions {

    /**
     * A generated grounded question about {@code attribute} of {@code entity}. {@code sourceNumber} is 1-based, or 0
     * when the sources do not say (then {@code value} and {@code fact} are empty).
     */
    public record Item(List<Passage> passages, String question, String answer, int sourceNumber, String entity,
            String attribute, String value, String fact) {}

    /** One attribute of an entity kind: how a passage states it, how it is asked, how the answer says it. */
    private record Attribute(String key, String statement, String question, String answer) {}

    private record Kind(String name, List<Attribute> attributes) {}

    private static final List<Kind> KINDS = List.of(
            new Kind("town", List.of(
                    new Attribute("founded", "{E} was founded in {V}.", "When was {E} founded?", "{E} was founded in {V}"),
                    new Attribute("river", "{E} lies on the river {V}.", "Which river does {E} lie on?", "{E} lies on the river {V}"),
                    new Attribute("population", "About {V} people live in {E}.", "How many people live in {E}?", "About {V} people live in {E}"),
                    new Attribute("export", "{E} is known for its {V}.", "What is {E} known for?", "{E} is known for its {V}"),
                    new Attribute("mayor", "The mayor of {E} is {V}.", "Who is the mayor of {E}?", "The mayor of {E} is {V}"))),
            new Kind("person", List.of(
                    new Attribute("job", "{E} works as a {V}.", "What does {E} work as?", "{E} works as a {V}"),
                    new Attribute("born", "{E} was born in {V}.", "In which year was {E} born?", "{E} was born in {V}"),
                    new Attribute("home", "{E} lives in {V}.", "Where does {E} live?", "{E} lives in {V}"),
                    new Attribute("pet", "{E} has a pet {V}.", "What pet does {E} have?", "{E} has a pet {V}"),
                    new Attribute("instrument", "{E} plays the {V}.", "Which instrument does {E} play?", "{E} plays the {V}"))),
            new Kind("thing", List.of(
                    new Attribute("inventor", "The {E} was invented by {V}.", "Who invented the {E}?", "The {E} was invented by {V}"),
                    new Attribute("colour", "The {E} is painted {V}.", "What colour is the {E}?", "The {E} is painted {V}"),
                    new Attribute("weight", "The {E} weighs {V} grams.", "How much does the {E} weigh?", "The {E} weighs {V} grams"),
                    new Attribute("use", "The {E} is used to {V}.", "What is the {E} used for?", "The {E} is used to {V}"),
                    new Attribute("year", "The first {E} was built in {V}.", "When was the first {E} built?", "The first {E} was built in {V}"))));

    private static final List<String> SYLLABLES = List.of("vel", "mor", "qua", "bri", "tan", "osk", "lum", "dar",
            "ren", "zi", "fa", "hol", "pex", "ri", "sun", "ka", "lo", "mir", "ast", "en", "gol", "tha", "vo", "nel");
    private static final List<String> RIVERS = List.of("Ostra", "Pell", "Sarn", "Quill", "Mereth", "Dova", "Lunn", "Carro");
    private static final List<String> EXPORTS = List.of("blue salt", "glass bells", "smoked pears", "wool rugs",
            "copper kettles", "honey cakes", "paper lanterns", "river pearls");
    private static final List<String> JOBS = List.of("baker", "pilot", "gardener", "clockmaker", "teacher", "nurse",
            "sailor", "painter", "librarian", "beekeeper");
    private static final List<String> PETS = List.of("cat", "tortoise", "parrot", "goat", "rabbit", "hedgehog", "dog", "goldfish");
    private static final List<String> INSTRUMENTS = List.of("violin", "flute", "cello", "drums", "harp", "trumpet", "piano", "banjo");
    private static final List<String> COLOURS = List.of("green", "orange", "purple", "silver", "red", "yellow", "blue", "white");
    private static final List<String> USES = List.of("sort seeds", "measure rain", "clean lenses", "wind thread",
            "carry water", "light caves", "press flowers", "dry fish");
    private static final List<String> THING_NOUNS = List.of("lamp", "wheel", "press", "spinner", "kettle", "gauge", "loom", "bell");

    private GroundedQuestions() {}

    static Item generate(Draw d) {
        int count = d.between(1, 4);
        Set<String> used = new LinkedHashSet<>();
        List<String> entities = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        List<List<Attribute>> stated = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        List<Passage> passages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Kind kind = d.pick(KINDS);
            String entity;
            do entity = entityName(kind, d); while (!used.add(entity));
            // a few facts in any order, or, like a knowledge-base document (see document), every fact in kind order
            List<Attribute> attrs = new ArrayList<>(kind.attributes());
            List<Attribute> some;
            if (d.chance(0.3)) {
                some = attrs;
            } else {
                Collections.shuffle(attrs, d.random());
                some = attrs.subList(0, d.between(1, 3));
            }
            List<String> vals = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (Attribute a : some) {
                String v = value(a.key(), d);
                vals.add(v);
                if (!text.isEmpty()) text.append(' ');
                text.append(fill(a.statement(), entity, v));
            }
            entities.add(entity);
            kinds.add(kind);
            stated.add(List.copyOf(some));
            values.add(vals);
            passages.add(new Passage(fileName(entity, d), "", text.toString(), 1, 1));
        }
        int target = d.between(0, count - 1);
        Kind kind = kinds.get(target);
        String entity = entities.get(target);
        boolean answerable = d.chance(0.75) || stated.get(target).size() == kind.attributes().size();
        if (answerable) {
            int k = d.between(0, stated.get(target).size() - 1);
            Attribute a = stated.get(target).get(k);
            String v = values.get(target).get(k);
            String question = fill(a.question(), entity, v);
            String answer = fill(a.answer(), entity, v) + " [" + (target + 1) + "].";
            return new Item(passages, question, answer, target + 1, entity, a.key(), v, fill(a.statement(), entity, v));
        }
        // ask for an attribute of the entity that no passage states
        List<Attribute> missing = new ArrayList<>(kind.attributes());
        missing.removeAll(stated.get(target));
        Attribute a = d.pick(missing);
        return new Item(passages, fill(a.question(), entity, ""), GroundedPrompt.DONT_KNOW, 0, entity, a.key(), "", "");
    }

    /**
     * One invented entity with every attribute of its kind stated, as a small Markdown document: the sample
     * knowledge base ({@code --kb demo}) is made of these. Same {@code Draw} state, same document.
     *
     * @return {file name, Markdown text}
     */
    static String[] document(Draw d) {
        Kind kind = d.pick(KINDS);
        String entity = entityName(kind, d);
        StringBuilder text = new StringBuilder("# ").append(Character.toUpperCase(entity.charAt(0))).append(entity.substring(1)).append("\n\n");
        for (Attribute a : kind.attributes()) text.append(fill(a.statement(), entity, value(a.key(), d))).append(' ');
        return new String[] {entity.toLowerCase().replace(' ', '-') + ".md", text.toString().strip() + "\n"};
    }

    /** The user message of an item, exactly as the router renders it. */
    static String userMessage(Item item) {
        return GroundedPrompt.render(item.question(), item.passages());
    }

    /** Matches any sentence stating {@code attribute} of {@code entity}, whatever the value. */
    static java.util.regex.Pattern statementPattern(String attribute, String entity) {
        for (Kind k : KINDS) {
            for (Attribute a : k.attributes()) {
                if (a.key().equals(attribute)) {
                    String st = fill(a.statement(), entity, "\u0000");
                    int v = st.indexOf('\u0000');
                    return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(st.substring(0, v)) + ".+?"
                            + java.util.regex.Pattern.quote(st.substring(v + 1)));
                }
            }
        }
        throw new IllegalArgumentException("unknown attribute " + attribute);
    }

    private static String fill(String template, String entity, String value) {
        String s = template.replace("{E}", entity).replace("{V}", value);
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String word(Draw d, int syllables) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < syllables; i++) sb.append(d.pick(SYLLABLES));
        return Vocabulary.capitalize(sb.toString());
    }

    private static String entityName(Kind kind, Draw d) {
        return switch (kind.name()) {
            case "town" -> word(d, d.between(2, 3));
            case "person" -> d.pick(Vocabulary.PEOPLE).name() + " " + word(d, 2);
            default -> word(d, 2).toLowerCase() + " " + d.pick(THING_NOUNS);
        };
    }

    private static String fileName(String entity, Draw d) {
        String base = entity.toLowerCase().replace(' ', '-');
        return d.pick(base + ".md", base + "-notes.txt", "notes/" + base + ".md", "wiki/" + base + ".html");
    }

    private static String value(String key, Draw d) {
        return switch (key) {
            case "founded", "born", "year" -> String.valueOf(d.between(1400, 2015));
            case "river" -> d.pick(RIVERS);
            case "population" -> String.valueOf(d.between(2, 900) * 100);
            case "export" -> d.pick(EXPORTS);
            case "mayor", "inventor" -> d.pick(Vocabulary.PEOPLE).name() + " " + word(d, 2);
            case "job" -> d.pick(JOBS);
            case "home" -> word(d, 2);
            case "pet" -> d.pick(PETS);
            case "instrument" -> d.pick(INSTRUMENTS);
            case "colour" -> d.pick(COLOURS);
            case "weight" -> String.valueOf(d.between(5, 950));
            case "use" -> d.pick(USES);
            default -> throw new IllegalArgumentException(key);
        };
    }
}
