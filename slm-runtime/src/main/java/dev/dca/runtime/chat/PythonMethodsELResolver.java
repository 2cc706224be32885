package dev.dca.runtime.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives Jinjava the Python {@code str} (and a few {@code dict}) methods that Hugging Face chat templates call
 * ({@code content.startswith('x')}, {@code .split('</think>')[-1].lstrip('\n')}, {@code .strip()}, ...). Jinja
 * templates run in Python, where these are the receiver's own methods; Jinjava resolves method calls on Java
 * objects, so a {@code String} has {@code startsWith} but not {@code startswith}. This resolver sits before
 * Jinjava's own and answers only calls it knows, with Python's semantics; everything else falls through.
 */
final class PythonMethodsELResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (method == null) return null;
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        if ("pyslice".equals(name) && args.length == 3) {
            Object sliced = PythonSlice.slice(base, args[0], args[1], args[2]);
            if (sliced != NOT_HANDLED_SLICE) {
                context.setPropertyResolved(true);
                return sliced;
            }
        }
        if (base instanceof CharSequence cs) {
            Object result = stringMethod(cs.toString(), name, args);
            if (result != NOT_HANDLED) {
                context.setPropertyResolved(true);
                return result;
            }
        } else if (base instanceof Map<?, ?> map) {
            Object result = mapMethod(map, name, args);
            if (result != NOT_HANDLED) {
                context.setPropertyResolved(true);
                return result;
            }
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();
    private static final Object NOT_HANDLED_SLICE = PythonSlice.NOT_SLICEABLE;

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static Object stringMethod(String s, String name, Object[] a) {
        switch (name) {
            case "startswith":
                return prefixOrSuffix(s, a, true);
            case "endswith":
                return prefixOrSuffix(s, a, false);
            case "strip":
                return rstrip(lstrip(s, chars(a)), chars(a));
            case "lstrip":
                return lstrip(s, chars(a));
            case "rstrip":
                return rstrip(s, chars(a));
            case "split":
                return split(s, a.length > 0 ? str(a[0]) : null, a.length > 1 ? toInt(a[1]) : -1);
            case "rsplit":
                return rsplit(s, a.length > 0 ? str(a[0]) : null, a.length > 1 ? toInt(a[1]) : -1);
            case "replace":
                if (a.length < 2) return NOT_HANDLED;
                return replace(s, str(a[0]), str(a[1]), a.length > 2 ? toInt(a[2]) : -1);
            case "upper":
                return s.toUpperCase(Locale.ROOT);
            case "lower":
                return s.toLowerCase(Locale.ROOT);
            case "title":
                return title(s);
            case "capitalize":
                return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "find":
                return a.length == 0 ? NOT_HANDLED : s.indexOf(str(a[0]));
            case "rfind":
                return a.length == 0 ? NOT_HANDLED : s.lastIndexOf(str(a[0]));
            case "count":
                return a.length == 0 ? NOT_HANDLED : count(s, str(a[0]));
            case "join":
                return a.length == 0 ? NOT_HANDLED : join(s, a[0]);
            case "isdigit":
                return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace":
                return !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isalpha":
                return !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isupper":
                return s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT));
            case "islower":
                return s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT));
            default:
                return NOT_HANDLED;
        }
    }

    private static Object mapMethod(Map<?, ?> map, String name, Object[] a) {
        switch (name) {
            case "get":
                if (a.length == 0) return NOT_HANDLED;
                return map.containsKey(str(a[0])) ? map.get(str(a[0])) : (a.length > 1 ? a[1] : null);
            case "items": {
                List<List<Object>> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(java.util.Arrays.asList(k, v)));
                return items;
            }
            case "keys":
                return new ArrayList<>(map.keySet());
            case "values":
                return new ArrayList<>(map.values());
            default:
                return NOT_HANDLED;
        }
    }

    private static Object prefixOrSuffix(String s, Object[] a, boolean prefix) {
        if (a.length == 0) return NOT_HANDLED;
        List<String> options = new ArrayList<>();
        if (a[0] instanceof Iterable<?> it) {
            for (Object o : it) options.add(str(o));
        } else {
            options.add(str(a[0]));
        }
        for (String o : options) {
            if (prefix ? s.startsWith(o) : s.endsWith(o)) return true;
        }
        return false;
    }

    /** Python's strip argument: null means whitespace. */
    private static String chars(Object[] a) {
        return a.length == 0 || a[0] == null ? null : a[0].toString();
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) j--;
        return s.substring(0, j);
    }

    private static int toInt(Object o) {
        return o instanceof Number n ? n.intValue() : Integer.parseInt(o.toString());
    }

    /** Python str.split: no separator splits on whitespace runs and drops empty ends. */
    private static List<String> split(String s, String sep, int maxsplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Character.isWhitespace(s.charAt(i))) i++;
                if (i >= n) break;
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(rstrip(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < n && !Character.isWhitespace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int from = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int k = s.indexOf(sep, from);
            if (k < 0) break;
            out.add(s.substring(from, k));
            from = k + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> rsplit(String s, String sep, int maxsplit) {
        if (sep == null || maxsplit < 0) return split(s, sep, maxsplit);
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        List<String> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxsplit) {
            int k = s.lastIndexOf(sep, end - sep.length());
            if (k < 0) break;
            out.add(0, s.substring(k + sep.length(), end));
            end = k;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    private static String replace(String s, String old, String with, int count) {
        if (count < 0) return s.replace(old, with);
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int done = 0;
        while (done < count) {
            int k = s.indexOf(old, from);
            if (k < 0) break;
            sb.append(s, from, k).append(with);
            from = k + old.length();
            done++;
            if (old.isEmpty()) {
                if (from < s.length()) sb.append(s.charAt(from));
                from++;
                if (from > s.length()) break;
            }
        }
        if (from <= s.length()) sb.append(s.substring(Math.min(from, s.length())));
        return sb.toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int k = s.indexOf(sub); k >= 0; k = s.indexOf(sub, k + sub.length())) n++;
        return n;
    }

    private static String join(String sep, Object items) {
        if (!(items instanceof Iterable<?> it)) return String.valueOf(items);
        List<String> parts = new ArrayList<>();
        for (Object o : it) parts.add(String.valueOf(o));
        return String.join(sep, parts);
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    // Not a property resolver: everything else is Jinjava's.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
