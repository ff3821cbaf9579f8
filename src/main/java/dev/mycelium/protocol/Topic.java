package dev.mycelium.protocol;

import java.util.List;

/** A topic and the names of the live peers subscribed to it. */
public record Topic(String name, List<String> subscribers) {
}
