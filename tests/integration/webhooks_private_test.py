#!/usr/bin/env python3
"""Integration tests of WEBHOOK_DENY_PRIVATE=true (set by suites.conf for
this suite): registration refuses loopback and private receivers in their
usual and odd spellings and names that resolve to them (localhost), public
addresses still pass, and a private receiver slipped into the table is
refused by the delivery daemon at connect time (the event is dead, its log
says why, nothing reaches the receiver). Python 3 standard library only."""
import sys
import time

from harness import SERVICE, call, check, psql, run_suite
from webhook_receiver import Receiver

RECV = None
PRIVATE = ["http://127.0.0.1:9/x", "http://2130706433/", "http://0x7f.1/", "http://localhost:9/",
           "http://10.1.2.3/", "http://192.168.0.10/", "http://172.16.0.1/", "http://[::1]/",
           "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://0/"]


def register(url, table="*"):
    return call("/webhooks", method="POST", token=SERVICE, body={"url": url, "table_name": table})


def clear():
    psql("select pgstack.webhook_delete(id) from pgstack.webhooks; "
         "delete from pgstack.webhook_deliveries")


def setup():
    global RECV
    RECV = Receiver()
    clear()
    psql("drop table if exists whp_t; create table whp_t (id int primary key)")


def teardown():
    clear()
    psql("drop table if exists whp_t")
    RECV.close()


def test_registration_refuses_private():
    for url in PRIVATE:
        r = register(url)
        check("WEBHOOK_DENY_PRIVATE: %s -> 400" % url,
              r.status == 400 and "WEBHOOK_DENY_PRIVATE" in r.text, r)
    r = register("http://169.254.169.254/")
    check("link-local still refused", r.status == 400 and "link-local" in r.text, r)
    r = register("http://93.184.216.34/hook")
    check("a public address passes", r.status == 201, r)
    check("only the public one was created",
          psql("select count(*) from pgstack.webhooks") == "1")
    clear()


def test_delivery_refuses_private():
    # registered with a public address, then pointed at the loopback
    # receiver behind pgstack's back: the connect-time check refuses it
    r = register("http://93.184.216.34/hook", "whp_t")
    w = r.json["id"] if r.status == 201 else ""
    psql("update pgstack.webhooks set url = '%s/ok/private' where id = '%s'" % (RECV.url, w))
    psql("insert into whp_t values (1)")
    time.sleep(2.5)
    state = psql("select coalesce(string_agg(state || ':' || attempts || ':' || "
                 "coalesce(last_error, ''), ','), '') from pgstack.webhook_deliveries")
    check("a private receiver is refused at delivery (dead, reason logged)",
          state.startswith("dead:1:") and "WEBHOOK_DENY_PRIVATE" in state, state)
    check("nothing reached the receiver", RECV.got("/ok/private") == [])


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_registration_refuses_private, test_delivery_refuses_private],
                       teardown))
