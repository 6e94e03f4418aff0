package io.pgrouter.core.auth;

import io.pgrouter.spi.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of the authdb or hba file split into fields, in the pg_hba.conf / userlist.txt manner:
 * fields are separated by blanks, {@code #} starts a comment, a double-quoted part may hold blanks,
 * {@code #} and commas, with {@code ""} standing for one quote. With comma lists on (hba), a field
 * is a comma-separated list of items, and blanks after a comma continue the list, as PostgreSQL
 * reads {@code db1, db2}.
 */
final class ConfigLine {
    /** One item: its text without quotes, whether any of it was quoted (a quoted {@code all} is a name), its column. */
    record Item(String text, boolean quoted, int column) {
    }

    /** One field: its items (exactly one unless comma lists are on), its first column and the column just past it. */
    record Field(List<Item> items, int column, int endColumn) {
        Item single() {
            return items.get(0);
        }
    }

    private final String file;
    private final int lineNumber;
    private final String text;
    private int pos;

    private ConfigLine(String file, int lineNumber, String text) {
        this.file = file;
        this.lineNumber = lineNumber;
        this.text = text;
    }

    /** Splits a line into fields; an empty list for blank and comment lines. */
    static List<Field> split(String file, int lineNumber, String text, boolean commaLists) {
        return new ConfigLine(file, lineNumber, text).fields(commaLists);
    }

    static String location(String file, int line, int column) {
        return file + ":" + line + ":" + column;
    }

    static ConfigException error(String file, int line, int column, String problem) {
        return new ConfigException(location(file, line, column), problem);
    }

    private List<Field> fields(boolean commaLists) {
        List<Field> fields = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (atEnd() || text.charAt(pos) == '#') {
                return fields;
            }
            int fieldColumn = pos + 1;
            List<Item> items = new ArrayList<>();
            while (true) {
                items.add(item(commaLists));
                if (commaLists && !atEnd() && text.charAt(pos) == ',') {
                    pos++;
                    skipBlanks();
                    if (atEnd() || text.charAt(pos) == '#') {
                        throw error(file, lineNumber, pos + 1, "list ends with a comma");
                    }
                    continue;
                }
                break;
            }
            fields.add(new Field(List.copyOf(items), fieldColumn, pos + 1));
        }
    }

    private Item item(boolean commaLists) {
        int column = pos + 1;
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (c == '"') {
                quoted = true;
                int open = pos;
                pos++;
                while (true) {
                    if (atEnd()) {
                        throw error(file, lineNumber, open + 1, "unterminated quoted string");
                    }
                    char q = text.charAt(pos++);
                    if (q == '"') {
                        if (!atEnd() && text.charAt(pos) == '"') {
                            out.append('"');
                            pos++;
                            continue;
                        }
                        break;
                    }
                    out.append(q);
                }
            } else if (isBlank(c) || c == '#' || (commaLists && c == ',')) {
                break;
            } else {
                out.append(c);
                pos++;
            }
        }
        if (out.length() == 0 && !quoted) {
            throw error(file, lineNumber, column, "empty list item");
        }
        return new Item(out.toString(), quoted, column);
    }

    private void skipBlanks() {
        while (!atEnd() && isBlank(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }
}
