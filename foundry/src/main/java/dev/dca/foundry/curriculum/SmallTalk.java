package dev.dca.foundry.curriculum;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Short everyday instructions (with answers computed from the instruction, so they are always right) and small
 * talk, plus two-turn chats whose second turn refers back to the first.
 */
final class SmallTalk {

    record Exchange(String family, String user, String assistant) {}

    private static final List<String> WORDS = List.of("apple", "river", "garden", "yellow", "window", "pencil",
            "rocket", "candle", "forest", "button", "planet", "silver", "kitten", "bridge", "ladder", "summer",
            "pepper", "castle", "marble", "rabbit", "island", "orange", "winter", "violin", "basket", "cloud");
    private static final List<String> COLOURS = List.of("red", "blue", "green", "yellow", "purple", "orange", "pink", "brown");
    private static final List<String> ANIMALS = List.of("cat", "dog", "horse", "owl", "fox", "bear", "duck", "frog", "goat");
    private static final List<String> FRUITS = List.of("apple", "banana", "cherry", "grape", "lemon", "mango", "pear", "plum");

    private SmallTalk() {}

    static Exchange instruction(Draw d) {
        return switch (d.between(0, 10)) {
            case 0 -> {
                String w = d.pick(WORDS);
                yield new Exchange("upper", d.pick("Write the word " + w + " in capital letters.", "Make \"" + w + "\" uppercase."), w.toUpperCase());
            }
            case 1 -> {
                String w = d.pick(WORDS);
                yield new Exchange("reverse", d.pick("Reverse the word " + w + ".", "Spell " + w + " backwards."), new StringBuilder(w).reverse().toString());
            }
            case 2 -> {
                String w = d.pick(WORDS);
                yield new Exchange("first-letter", "What is the first letter of the word " + w + "?", "The first letter of " + w + " is " + w.charAt(0) + ".");
            }
            case 3 -> {
                String w = d.pick(WORDS);
                yield new Exchange("count-letters", "How many letters are in the word " + w + "?", "The word " + w + " has " + w.length() + " letters.");
            }
            case 4 -> {
                List<Integer> xs = new ArrayList<>();
                for (int i = d.between(3, 6); i > 0; i--) xs.add(d.between(1, 99));
                List<Integer> sorted = new ArrayList<>(xs);
                Collections.sort(sorted);
                yield new Exchange("sort", "Sort these numbers from smallest to largest: " + join(xs) + ".", join(sorted));
            }
            case 5 -> {
                int a = d.between(1, 999), b = d.between(1, 999);
                if (a == b) b++;
                yield new Exchange("larger", "Which is larger, " + a + " or " + b + "?", Math.max(a, b) + " is larger.");
            }
            case 6 -> {
                int which = d.between(0, 2);
                List<String> pool = new ArrayList<>(List.of(COLOURS, ANIMALS, FRUITS).get(which));
                Collections.shuffle(pool, d.random());
                int n = d.between(2, 4);
                String kind = List.of("colours", "animals", "fruits").get(which);
                yield new Exchange("list", "Name " + n + " " + kind + ".", String.join(", ", pool.subList(0, n)) + ".");
            }
            case 7 -> {
                List<String> pool = new ArrayList<>(WORDS);
                Collections.shuffle(pool, d.random());
                List<String> xs = pool.subList(0, d.between(3, 5));
                yield new Exchange("last-item", "What is the last word in this list: " + String.join(", ", xs) + "?", "The last word is " + xs.getLast() + ".");
            }
            case 8 -> {
                String w = d.pick(WORDS);
                int n = d.between(2, 4);
                yield new Exchange("repeat", "Repeat the word " + w + " " + n + " times.", String.join(" ", Collections.nCopies(n, w)));
            }
            case 9 -> {
                List<String> pool = new ArrayList<>(WORDS);
                Collections.shuffle(pool, d.random());
                List<String> xs = new ArrayList<>(pool.subList(0, d.between(3, 5)));
                String shown = String.join(", ", xs);
                Collections.sort(xs);
                yield new Exchange("alphabetical", "Put these words in alphabetical order: " + shown + ".", String.join(", ", xs));
            }
            default -> {
                String w = d.pick(WORDS);
                yield new Exchange("rhyme-free-spell", "Spell the word " + w + " letter by letter.", String.join("-", w.toUpperCase().split("")));
            }
        };
    }

    static Exchange smallTalk(Draw d) {
        return switch (d.between(0, 7)) {
            case 0 -> new Exchange("greeting", d.pick("Hello!", "Hi there.", "Hey!", "Good morning!", "Hello, how are you?"),
                    d.pick("Hello! How can I help you today?", "Hi! What can I do for you?", "Hello! I am ready to help."));
            case 1 -> new Exchange("identity", d.pick("Who are you?", "What are you?", "What is your name?"),
                    "I am dca, a small assistant that runs on your own computer. I can answer from your documents and work through arithmetic step by step.");
            case 2 -> new Exchange("thanks", d.pick("Thank you!", "Thanks a lot.", "Thanks, that helped."),
                    d.pick("You're welcome!", "Glad I could help.", "Any time!"));
            case 3 -> new Exchange("goodbye", d.pick("Bye!", "Goodbye.", "See you later."),
                    d.pick("Goodbye! Have a nice day.", "Bye! Come back any time."));
            case 4 -> new Exchange("feeling", d.pick("How are you?", "How is it going?"),
                    d.pick("I am doing well, thank you. How can I help?", "All good here. What would you like to do?"));
            case 5 -> new Exchange("capabilities", d.pick("What can you do?", "How can you help me?"),
                    "I can answer questions about your documents with citations, solve word problems step by step, and follow short instructions.");
            case 6 -> new Exchange("limits", d.pick("Do you know today's news?", "Can you browse the web?"),
                    "No. I run offline and only know what is in your documents and what I learned in training.");
            default -> {
                String c = d.pick(COLOURS);
                yield new Exchange("favourite", "My favourite colour is " + c + ". What do you think of it?",
                        Vocabulary.capitalize(c) + " is a lovely colour.");
            }
        };
    }

    /** Two turns where the second refers to the first. */
    static List<Exchange> twoTurns(Draw d) {
        String w = d.pick(WORDS);
        return switch (d.between(0, 3)) {
            case 0 -> List.of(new Exchange("upper", "Write the word " + w + " in capital letters.", w.toUpperCase()),
                    new Exchange("followup-reverse", "Now spell it backwards.", new StringBuilder(w.toUpperCase()).reverse().toString()));
            case 1 -> List.of(new Exchange("reverse", "Reverse the word " + w + ".", new StringBuilder(w).reverse().toString()),
                    new Exchange("followup-count", "How many letters does it have?", "It has " + w.length() + " letters."));
            case 2 -> {
                String name = d.pick(Vocabulary.PEOPLE).name();
                yield List.of(new Exchange("introduce", "Hi, my name is " + name + ".", "Nice to meet you, " + name + "! How can I help?"),
                        new Exchange("recall-name", "What is my name?", "Your name is " + name + "."));
            }
            default -> {
                String c = d.pick(COLOURS);
                yield List.of(new Exchange("favourite", "My favourite colour is " + c + ". What do you think of it?", Vocabulary.capitalize(c) + " is a lovely colour."),
                        new Exchange("recall-colour", "Which colour did I say I like?", "You said your favourite colour is " + c + "."));
            }
        };
    }

    private static String join(List<Integer> xs) {
        return String.join(", ", xs.stream().map(String::valueOf).toList());
    }
}
