package dev.backtrack.bench;

import java.util.SplittableRandom;

/** Words for realistic-looking CRM values, shared by the MariaDB benchmark and the JMH rows. */
public final class Words {
    private Words() {}

    public static final String[] FIRST = {
        "Ada", "Bruno", "Chloé", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo", "Jasmin", "Kenji", "Lena", "Mateo",
        "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Ursula", "Viktor", "Wen", "Xavier", "Yara", "Zoë"
    };
    public static final String[] LAST = {
        "Andersen",
        "Baker",
        "Castro",
        "Dubois",
        "Eriksen",
        "Fischer",
        "García",
        "Hoffmann",
        "Ivanova",
        "Jensen",
        "Kowalski",
        "López",
        "Müller",
        "Nakamura",
        "Okafor",
        "Petrov",
        "Quinn",
        "Rossi",
        "Schmidt",
        "Tanaka",
        "Urban",
        "Vargas",
        "Weber",
        "Young",
        "Zhang"
    };
    public static final String[] COMPANY = {
        "Holdings", "Labs", "GmbH", "Industries", "Partners", "Logistics", "Systems", "Foods", "Energy", "Retail"
    };
    public static final String[] INDUSTRY = {
        "software", "manufacturing", "retail", "logistics", "health care", "finance", "energy", "education"
    };
    public static final String[] DOMAIN = {
        "example.com", "mail.example.org", "corp.example.net", "example.de", "example.fr"
    };
    public static final String[] SOURCE = {"web", "referral", "trade show", "cold call", "partner", "newsletter"};
    public static final String[] TAG = {"vip", "churn-risk", "upsell", "renewal", "new", "dormant", "enterprise", "smb"
    };
    public static final String[] KIND = {"call", "email", "meeting", "task", "demo", "follow-up"};
    public static final String[] TEXT =
            ("the customer asked about pricing for the next quarter and wants a follow up with the account "
                            + "manager before the renewal"
                            + " date because their procurement team needs a signed quote including support "
                            + "hours onboarding and training for new staff"
                            + " über café naïve résumé")
                    .split(" ");

    public static String pick(SplittableRandom r, String[] words) {
        return words[r.nextInt(words.length)];
    }

    public static String sentence(SplittableRandom r, int words) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < words; i++) {
            s.append(i == 0 ? "" : " ").append(pick(r, TEXT));
        }
        return s.toString();
    }

    /** Text of about {@code chars} characters made of {@link #TEXT}'s words. */
    public static String text(SplittableRandom r, int chars) {
        StringBuilder s = new StringBuilder(chars + 16);
        while (s.length() < chars) {
            s.append(s.length() == 0 ? "" : " ").append(pick(r, TEXT));
        }
        return s.toString();
    }
}
