function getByUserIdAndThreshold(userId, threshold, allocationsCol) {
  const parsedUserId = parseInt(userId);
  // ruleid: js-nosql-where-injection
  const query = { $where: `this.userId == ${parsedUserId} && this.stocks > '${threshold}'` };
  // ruleid: js-nosql-where-injection
  const other = { "$where": "this.product == " + threshold };
  // ok: js-nosql-where-injection
  const constant = { $where: "this.stocks > 10" };
  // ok: js-nosql-where-injection
  const typed = { userId: parsedUserId, stocks: { $gt: parseInt(threshold, 10) } };
  return allocationsCol.find(query, other, constant, typed);
}
