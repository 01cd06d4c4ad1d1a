pragma solidity ^0.6.12;

contract Refunder {
    mapping(address => uint256) private pledged;
    bool public refunding;
    address public organiser;

    constructor() public {
        organiser = msg.sender;
    }

    function pledge() external payable {
        require(!refunding, "closed");
        pledged[msg.sender] += msg.value;
    }

    function openRefunds() external {
        require(msg.sender == organiser, "organiser only");
        refunding = true;
    }

    /// Each backer pulls their own refund: one failing backer blocks nobody else.
    function claimRefund() external {
        require(refunding, "not refunding");
        uint256 amount = pledged[msg.sender];
        pledged[msg.sender] = 0;
        msg.sender.transfer(amount);
    }
}
