package dev.dca.foundry.curriculum;

import java.util.List;

/** Word lists the generators draw from: people, countable things, containers, invented places. */
final class Vocabulary {
    private Vocabulary() {}

    record Person(String name, String subject, String object, String possessive) {}

    static final List<Person> PEOPLE = people(
            "Tom:he", "Anna:she", "Ben:he", "Maya:she", "Leo:he", "Sara:she", "Omar:he", "Lina:she", "Jack:he",
            "Emma:she", "Noah:he", "Mia:she", "Ravi:he", "Zoe:she", "Sam:he", "Ella:she", "Hugo:he", "Ivy:she",
            "Kofi:he", "Nora:she", "Luis:he", "Aiko:she", "Finn:he", "Rosa:she", "Max:he", "Lucy:she", "Eli:he",
            "Tara:she", "Yusuf:he", "Grace:she", "Pablo:he", "Hana:she", "Oscar:he", "Chloe:she", "Arjun:he",
            "Jade:she", "Felix:he", "Nina:she", "Theo:he", "Amara:she");

    /** Countable things: plural noun. */
    static final List<String> THINGS = List.of("apples", "marbles", "stickers", "cookies", "pencils", "books", "shells",
            "cards", "stamps", "eggs", "balloons", "oranges", "candies", "toy cars", "coins", "muffins", "beads",
            "crayons", "lemons", "buttons", "flowers", "cupcakes", "postcards", "bottles", "rocks", "pears");

    static final List<String> CONTAINERS = List.of("boxes", "bags", "baskets", "packs", "jars", "crates", "trays", "bowls");

    static final List<String> SHOP_ITEMS = List.of("notebooks", "pens", "mugs", "shirts", "hats", "plates", "candles",
            "toys", "bracelets", "towels", "puzzles", "kites", "socks", "lamps", "posters");

    static final List<String> CROPS = List.of("tomato", "pepper", "strawberry", "bean", "apple", "lemon", "plum");

    private static List<Person> people(String... specs) {
        return java.util.Arrays.stream(specs).map(s -> {
            String[] p = s.split(":");
            boolean he = p[1].equals("he");
            return new Person(p[0], he ? "he" : "she", he ? "him" : "her", he ? "his" : "her");
        }).toList();
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
