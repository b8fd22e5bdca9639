// tests/bench/peers.graphile.mjs — the PostGraphile v5 configuration of
// tests/bench/peers (copied to .dev/peers/graphile.config.mjs, next to the
// node_modules the bench installs there; PostGraphile is a measurement, never
// a dependency of pgstack).
//
// The same database, role and row-level security as pgstack's REST workers:
// it connects as the role the workers use (PEERS_DATABASE_URL), with as many
// pooled connections as there are REST workers (PEERS_POOL_SIZE), and every
// request's JWT is verified as HS256 with JWT_SECRET in the context function;
// its claims reach PostgreSQL through pgSettings (set_config(..., true) in the
// request's transaction), exactly the settings auth.uid() and auth.role() in
// sql/0001_roles_and_auth.sql read: role, request.jwt.claims,
// request.jwt.claim.sub and request.jwt.claim.role.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import jwt from "jsonwebtoken";

const secret = process.env.JWT_SECRET;
if (!secret) throw new Error("JWT_SECRET is not set");
const anonClaims = { role: "anon" };

// The claims of a request: a verified bearer token's, or anon's without one.
// A bad token fails the request (a GraphQL error), as pgstack answers 401.
function peersClaims(req) {
  const header = req?.headers?.authorization;
  if (!header) return anonClaims;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new Error("malformed Authorization header");
  return jwt.verify(match[1], secret, { algorithms: ["HS256"] });
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PEERS_DATABASE_URL,
      schemas: ["public"],
      pubsub: false,
      poolConfig: { max: Number(process.env.PEERS_POOL_SIZE || 4) },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port: Number(process.env.PEERS_PORT),
    graphqlPath: "/graphql",
    graphiql: false,
  },
  grafast: {
    explain: false,
    context(requestContext) {
      const claims = peersClaims(requestContext.node?.req);
      return {
        pgSettings: {
          role: String(claims.role || "anon"),
          "request.jwt.claims": JSON.stringify(claims),
          "request.jwt.claim.sub": claims.sub == null ? "" : String(claims.sub),
          "request.jwt.claim.role": String(claims.role || "anon"),
        },
      };
    },
  },
};

export default preset;
