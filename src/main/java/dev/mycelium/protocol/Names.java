package dev.mycelium.protocol;

/** The shapes of names users type: peer names and topic names. */
public final class Names {

	public static final int MAX_PEER_NAME = 64;

	public static final String PEER_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_PEER_NAME - 1) + "}";

	public static final String PEER_NAME_RULE = "a peer name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

	public static final String TOPIC = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

	public static final String TOPIC_RULE = "a topic is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

	public static final int MAX_SUMMARY = 2000;

	/**
	 * Message ids are the broker's base32; a little wider, for ids of other tools (empty
	 * means none).
	 */
	public static final String MESSAGE_ID = "[A-Za-z0-9_-]*";

	public static final int MAX_MESSAGE_ID = 64;

	public static final String MESSAGE_ID_RULE = "reply_to must be a message id: letters and digits, as sense shows them";

	public static final String BODY_RULE = "body is required and must not be empty: the text of the message";

	private Names() {
	}

	/** Paths in one claim: a claim of many files is better a claim of their directory. */
	public static final int MAX_CLAIM_PATHS = 32;

	/** The longest time to live of a claim: a week. */
	public static final long MAX_CLAIM_TTL_SECONDS = 604_800;

}
