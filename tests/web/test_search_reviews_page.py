"""A review found by search reads as a patient review and leads to the doctor's profile (page and API)."""
from forum.services import reviews
from forum.text import slugify
from tests.factories import make_doctor, make_reviewer, make_treatment, review_data


def test_the_search_page_and_the_api_show_a_review_hit_linking_to_the_doctor(client):
    make_treatment()
    doctor = make_doctor()
    profile = doctor.doctor_profile
    review = reviews.create_review(make_reviewer(), profile.id, review_data(
        body="Two sessions of the peel cleared the rough patches on my chin; the flaking lasted four days."))
    link = f"/doctors/{profile.id}/{slugify(profile.full_name)}#review-{review.id}"
    page = client.get("/search?q=rough+patches&kind=review").get_data(as_text=True)
    assert "Patient review" in page and f'href="{link}"' in page
    assert '<option value="review" selected>Patient reviews</option>' in page
    body = client.get("/api/v1/search?q=rough+patches&kind=review").json
    assert [(i["kind"], i["url"]) for i in body["items"]] == [("review", link)]
    assert client.get(link.split("#")[0]).status_code == 200
