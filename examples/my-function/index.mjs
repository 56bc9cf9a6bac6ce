// The function the reference's examples call: it answers with what it was sent and which version ran.
export const handler = async (event, context) => {
  console.log('my-function got', JSON.stringify(event));
  return {
    statusCode: 200,
    body: event?.body ?? null,
    version: context.functionVersion,
    locale: context.clientContext?.env?.locale ?? null,
  };
};
