/** The longest SQS holds a message before delivering it (DelaySeconds, and so any wait jobline leaves to SQS): 15 minutes. */
export const MAX_SQS_DELAY_SECONDS = 900;
