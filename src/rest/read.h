/* GET and HEAD /rest/v1/{table}: parse -> catalog -> plan -> SQL -> one
 * pipelined transaction as the caller -> reply (read_reply.c). */
#ifndef PGSTACK_REST_READ_H
#define PGSTACK_REST_READ_H

#include "core/request.h"
#include "core/response.h"
#include "rest/catalog/catalog.h"
#include "rest/model.h"
#include "rest/plan/plan.h"

#include <stdbool.h>

void rest_read_handle(request *req, response *res);

/* Runs a planned read — a relation's rows or an RPC's result — in one
 * pipelined transaction as the caller (with the catalog version check) and
 * replies. Returns false without replying when rest_catalog_retry says to
 * plan and run it again (attempt counts from 0). */
bool rest_read_run(request *req, response *res, const rest_request *rq, const rest_catalog *cat,
                   const rest_plan *plan, int attempt);

#endif
